package io.graceful.operator.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which of the operator's fields a declarative tool (Argo CD, Flux, Helm, {@code kubectl apply}) sets from a
 * manifest, and so will set back on its next sync: raising such a grace period starts a fight the operator cannot
 * win (README "GitOps"). Read from the API server's field management and kubectl's last-applied-configuration;
 * only evidence counts, because an Update that creates an object also owns the fields the server defaulted.
 *
 * <ul>
 *   <li>A server-side apply (operation {@code Apply}) owns exactly the fields of its manifest.</li>
 *   <li>Client-side {@code kubectl apply} (and Argo CD's default sync) records the manifest in
 *       {@code kubectl.kubernetes.io/last-applied-configuration}.</li>
 *   <li>A known GitOps manager that took the field back after the operator wrote it (Helm's three-way merge
 *       leaves no other trace).</li>
 * </ul>
 */
public final class DeclaredFields {
  /** The operator's own field manager (every write it sends names it). */
  public static final String FIELD_MANAGER = "graceful-operator";
  /** Field managers of declarative tools that write with Update operations (the field managers listed in the README, section GitOps). */
  public static final Set<String> GITOPS_MANAGERS = Set.of("argocd-controller", "kustomize-controller",
      "helm-controller", "helm", "kubectl-client-side-apply");
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> GRACE_PATH = List.of("f:spec", "f:template", "f:spec",
      "f:terminationGracePeriodSeconds");

  private DeclaredFields() {
  }

  /**
   * The manager whose manifest sets the pod template's grace period, if any.
   *
   * @param operatorValueUndone the operator had changed the grace period and someone else changed it since
   */
  public static Optional<String> gracePeriodOwner(Workload workload, boolean operatorValueUndone) {
    List<ManagedFieldsEntry> entries = workload.managedFields();
    if (entries.isEmpty()) {
      return Optional.empty();
    }
    for (ManagedFieldsEntry e : entries) {
      if (e == null || FIELD_MANAGER.equals(e.getManager()) || e.getSubresource() != null
          && !e.getSubresource().isEmpty() || !owns(e, GRACE_PATH)) {
        continue;
      }
      if ("Apply".equals(e.getOperation())) {
        return Optional.of(e.getManager() + " (server-side apply)");
      }
      if (lastAppliedSetsGracePeriod(workload)) {
        return Optional.of(e.getManager() + " (kubectl.kubernetes.io/last-applied-configuration)");
      }
      if (operatorValueUndone && GITOPS_MANAGERS.contains(e.getManager())) {
        return Optional.of(e.getManager());
      }
    }
    return Optional.empty();
  }

  /**
   * The managed-fields entries this class reads, reduced to the grace period's path: what a trimmed cache keeps
   * of a Deployment's field management (a few hundred bytes instead of several kilobytes).
   */
  public static List<ManagedFieldsEntry> relevant(List<ManagedFieldsEntry> entries) {
    if (entries == null || entries.isEmpty()) {
      return List.of();
    }
    List<ManagedFieldsEntry> kept = new java.util.ArrayList<>(1);
    for (ManagedFieldsEntry e : entries) {
      if (e != null && (e.getSubresource() == null || e.getSubresource().isEmpty()) && owns(e, GRACE_PATH)) {
        ManagedFieldsEntry slim = new ManagedFieldsEntry();
        slim.setManager(e.getManager());
        slim.setOperation(e.getOperation());
        io.fabric8.kubernetes.api.model.FieldsV1 fields = new io.fabric8.kubernetes.api.model.FieldsV1();
        fields.setAdditionalProperty(GRACE_PATH.get(0), Map.of(GRACE_PATH.get(1), Map.of(GRACE_PATH.get(2),
            Map.of(GRACE_PATH.get(3), Map.of()))));
        slim.setFieldsV1(fields);
        kept.add(slim);
      }
    }
    return kept.isEmpty() ? List.of() : kept;
  }

  /** The field set of a managedFields entry holds the path (maps of {@code f:name} keys, as the API server writes). */
  @SuppressWarnings("unchecked")
  static boolean owns(ManagedFieldsEntry entry, List<String> path) {
    if (entry.getFieldsV1() == null || entry.getFieldsV1().getAdditionalProperties() == null) {
      return false;
    }
    Object node = entry.getFieldsV1().getAdditionalProperties();
    for (String key : path) {
      if (!(node instanceof Map<?, ?> map) || !map.containsKey(key)) {
        return false;
      }
      node = ((Map<String, Object>) map).get(key);
    }
    return true;
  }

  private static boolean lastAppliedSetsGracePeriod(Workload workload) {
    String raw = workload.annotations().get(LAST_APPLIED);
    if (raw == null || raw.isBlank()) {
      return false;
    }
    try {
      JsonNode grace = JSON.readTree(raw).path("spec").path("template").path("spec")
          .path("terminationGracePeriodSeconds");
      return !grace.isMissingNode() && !grace.isNull();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return false;
    }
  }
}
