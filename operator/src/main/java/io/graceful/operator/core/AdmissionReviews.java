package io.graceful.operator.core;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.graceful.operator.api.argo.ArgoRollout;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads an AdmissionReview (admission.k8s.io/v1, and v1beta1 answered in kind) and writes its answer: always
 * {@code allowed: true}, with the {@link AdmissionPlanner} JSON Patch when the workload is mutated. Whatever is
 * wrong with the request (not JSON, no object, an object that does not parse) is admitted unchanged with a
 * warning: the webhook never blocks a write (README "Admission"). Pure: bytes in, bytes out.
 */
public final class AdmissionReviews {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  public static final String V1 = "admission.k8s.io/v1";
  public static final String V1BETA1 = "admission.k8s.io/v1beta1";
  private static final String WARNING = "graceful-operator admission: ";

  /** group + "/" + kind -> the model class, for the kinds a policy can govern (WorkloadKind). */
  private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
      "apps/v1/Deployment", Deployment.class,
      "apps/v1/StatefulSet", StatefulSet.class,
      "apps/v1/DaemonSet", DaemonSet.class,
      "argoproj.io/v1alpha1/Rollout", ArgoRollout.class);

  /**
   * The answer and what to log and count about it.
   *
   * @param body the AdmissionReview response, JSON
   * @param workload {@code kind namespace/name} of the request's object, or null when unknown
   * @param policy the governing policy, or null
   * @param reason why, in words
   */
  public record Answer(byte[] body, AdmissionResult result, String workload, String policy, String reason,
      boolean dryRun) {}

  private AdmissionReviews() {
  }

  /**
   * @param policies the policies that may govern a workload of the namespace (from the caller's cache)
   * @param namespaces what is known of a namespace (for cluster policies' namespace selectors)
   */
  public static Answer answer(byte[] body, Function<String, List<PolicySnapshot>> policies, PlanningContext context,
      Function<String, NamespaceView> namespaces) {
    JsonNode review;
    try {
      review = JSON.readTree(body);
    } catch (java.io.IOException e) {
      return malformed(V1, "", "the body is not JSON: " + firstLine(e.getMessage()));
    }
    if (review == null || !review.isObject()) {
      return malformed(V1, "", "the body is not an AdmissionReview object");
    }
    String apiVersion = V1BETA1.equals(review.path("apiVersion").asText()) ? V1BETA1 : V1;
    JsonNode request = review.path("request");
    String uid = request.path("uid").asText("");
    if (!request.isObject() || uid.isEmpty()) {
      return malformed(apiVersion, uid, "the AdmissionReview has no request or no request.uid");
    }
    JsonNode kind = request.path("kind");
    String key = kind.path("group").asText("") + "/" + kind.path("version").asText("") + "/"
        + kind.path("kind").asText("");
    Class<? extends HasMetadata> type = KINDS.get(key);
    String operation = request.path("operation").asText("");
    boolean dryRun = request.path("dryRun").asBoolean(false);
    String namespace = request.path("namespace").asText("");
    String name = request.path("name").asText("");
    String workload = kind.path("kind").asText("?") + " " + namespace + "/" + name;
    if (type == null || !(operation.equals("CREATE") || operation.equals("UPDATE"))) {
      return new Answer(allowed(apiVersion, uid, null, List.of()), AdmissionResult.IGNORED, workload, null,
          "not a create or update of a governed kind (" + operation + " " + key + ")", dryRun);
    }
    JsonNode raw = request.path("object");
    HasMetadata object;
    try {
      object = raw.isObject() ? JSON.treeToValue(raw, type) : null;
    } catch (java.io.IOException | IllegalArgumentException e) {
      return malformed(apiVersion, uid, "request.object is not a valid " + kind.path("kind").asText() + ": "
          + firstLine(e.getMessage()));
    }
    if (object == null || object.getMetadata() == null) {
      return malformed(apiVersion, uid, "request.object is missing or has no metadata");
    }
    if (object.getMetadata().getDeletionTimestamp() != null) {
      return new Answer(allowed(apiVersion, uid, null, List.of()), AdmissionResult.IGNORED, workload, null,
          "being deleted", dryRun);
    }
    // a create names its namespace in the URL (and its name may still be generated): take them from the request
    if (object.getMetadata().getNamespace() == null || object.getMetadata().getNamespace().isEmpty()) {
      object.getMetadata().setNamespace(namespace);
    }
    if (object.getMetadata().getName() == null || object.getMetadata().getName().isEmpty()) {
      object.getMetadata().setName(name.isEmpty() ? object.getMetadata().getGenerateName() : name);
    }
    workload = kind.path("kind").asText() + " " + object.getMetadata().getNamespace() + "/"
        + object.getMetadata().getName();
    AdmissionPlanner.Decision decision;
    try {
      decision = AdmissionPlanner.decide(object, policies.apply(object.getMetadata().getNamespace()), context,
          namespaces.apply(object.getMetadata().getNamespace()));
    } catch (RuntimeException e) {
      // bad input must never block a write: admit unchanged, the controller decides (and reports) later
      return malformed(apiVersion, uid, "could not plan " + workload + ": " + firstLine(String.valueOf(e.getMessage())));
    }
    return new Answer(allowed(apiVersion, uid, decision.result() == AdmissionResult.MUTATED ? decision.patch() : null,
        List.of()), decision.result(), workload, decision.plan().governingPolicy(), decision.reason(), dryRun);
  }

  private static Answer malformed(String apiVersion, String uid, String reason) {
    return new Answer(allowed(apiVersion, uid, null, List.of(WARNING + reason + "; admitted unchanged")),
        AdmissionResult.MALFORMED, null, null, reason, false);
  }

  /** {@code allowed: true}, with the patch (base64 JSON Patch) when there is one. */
  static byte[] allowed(String apiVersion, String uid, JsonNode patch, List<String> warnings) {
    ObjectNode out = JSON.createObjectNode();
    out.put("apiVersion", apiVersion);
    out.put("kind", "AdmissionReview");
    ObjectNode response = out.putObject("response");
    response.put("uid", uid);
    response.put("allowed", true);
    if (patch != null && !patch.isEmpty()) {
      response.put("patchType", "JSONPatch");
      response.put("patch", Base64.getEncoder().encodeToString(patch.toString().getBytes(StandardCharsets.UTF_8)));
    }
    if (!warnings.isEmpty()) {
      warnings.forEach(response.putArray("warnings")::add);
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }
}
