package io.graceful.operator.core;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.graceful.operator.api.argo.ArgoRollout;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What planning reads of one workload, whatever its kind: identity, the metadata the rules look at, the pod
 * template, and the few facts that differ by kind. Built at the edge from the cached object (one factory per kind),
 * so the planner has a single code path for every kind.
 *
 * <p>Read-only views over the cached object, not copies: the cache never changes an object in place, and a
 * copy per plan would cost the status controller (which re-plans a whole namespace) for nothing.
 *
 * @param generation metadata.generation, 0 when the server left it unset
 * @param template the pod template ({@code spec.template}), null when the object has none
 * @param strategyType the kind's rollout strategy type ({@code spec.strategy.type} of a Deployment,
 *     {@code spec.updateStrategy.type} of a StatefulSet or DaemonSet), or null when omitted
 * @param restartsPods whether a template change would restart pods now (not when scaled to zero or brand new, nor
 *     under updateStrategy OnDelete)
 * @param rollout where the workload's latest rollout stands, read from its status; under OnDelete, whether every
 *     pod runs the current template
 * @param templateReferenced the workload has no template of its own but names another workload's (an Argo
 *     Rollout's {@code spec.workloadRef}): there is nothing of its own to change
 */
public record Workload(
    WorkloadRef ref,
    long generation,
    Map<String, String> labels,
    Map<String, String> annotations,
    List<OwnerReference> ownerReferences,
    List<ManagedFieldsEntry> managedFields,
    PodTemplateSpec template,
    String strategyType,
    boolean restartsPods,
    RolloutProgress.State rollout,
    boolean templateReferenced) {

  public Workload {
    labels = labels == null ? Map.of() : Collections.unmodifiableMap(labels);
    annotations = annotations == null ? Map.of() : Collections.unmodifiableMap(annotations);
    ownerReferences = ownerReferences == null ? List.of() : Collections.unmodifiableList(ownerReferences);
    managedFields = managedFields == null ? List.of() : Collections.unmodifiableList(managedFields);
  }

  /** A workload with a template of its own (every kind but a Rollout with workloadRef). */
  public Workload(WorkloadRef ref, long generation, Map<String, String> labels, Map<String, String> annotations,
      List<OwnerReference> ownerReferences, List<ManagedFieldsEntry> managedFields, PodTemplateSpec template,
      String strategyType, boolean restartsPods, RolloutProgress.State rollout) {
    this(ref, generation, labels, annotations, ownerReferences, managedFields, template, strategyType, restartsPods,
        rollout, false);
  }

  public static Workload of(Deployment deployment) {
    var spec = deployment.getSpec();
    return of(WorkloadKind.Deployment, deployment.getMetadata(), spec == null ? null : spec.getTemplate(),
        spec == null || spec.getStrategy() == null ? null : spec.getStrategy().getType(),
        RolloutProgress.restartsPods(deployment), RolloutProgress.of(deployment));
  }

  public static Workload of(StatefulSet set) {
    var spec = set.getSpec();
    return of(WorkloadKind.StatefulSet, set.getMetadata(), spec == null ? null : spec.getTemplate(),
        spec == null || spec.getUpdateStrategy() == null ? null : spec.getUpdateStrategy().getType(),
        RolloutProgress.restartsPods(set), RolloutProgress.of(set));
  }

  public static Workload of(DaemonSet set) {
    var spec = set.getSpec();
    return of(WorkloadKind.DaemonSet, set.getMetadata(), spec == null ? null : spec.getTemplate(),
        spec == null || spec.getUpdateStrategy() == null ? null : spec.getUpdateStrategy().getType(),
        RolloutProgress.restartsPods(set), RolloutProgress.of(set));
  }

  /**
   * An Argo Rollout: the template at the same {@code spec.template} path. Argo has no OnDelete; its strategies
   * (canary, blue-green) always replace pods, so the strategy type is not read.
   */
  public static Workload of(ArgoRollout rollout) {
    var spec = rollout.getSpec();
    Workload w = of(WorkloadKind.Rollout, rollout.getMetadata(), spec == null ? null : spec.getTemplate(), null,
        RolloutProgress.restartsPods(rollout), RolloutProgress.of(rollout));
    return spec == null || spec.getWorkloadRef() == null ? w : new Workload(w.ref(), w.generation(), w.labels(),
        w.annotations(), w.ownerReferences(), w.managedFields(), w.template(), null, w.restartsPods(), w.rollout(),
        true);
  }

  private static Workload of(WorkloadKind kind, ObjectMeta meta, PodTemplateSpec template, String strategyType,
      boolean restartsPods, RolloutProgress.State rollout) {
    return new Workload(new WorkloadRef(kind, meta.getNamespace(), meta.getName()),
        meta.getGeneration() == null ? 0 : meta.getGeneration(), meta.getLabels(), meta.getAnnotations(),
        meta.getOwnerReferences(), meta.getManagedFields(), template, strategyType, restartsPods, rollout);
  }

  public String namespace() {
    return ref.namespace();
  }

  public String name() {
    return ref.name();
  }
}
