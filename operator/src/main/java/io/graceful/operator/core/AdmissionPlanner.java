package io.graceful.operator.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.zjsonpatch.JsonPatch;
import io.graceful.operator.api.argo.ArgoRollout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * "Born compliant" (README "Admission"): the change the controller would write, decided while the API server
 * admits a workload's create or update, so the object is stored with it and the controller finds nothing to do.
 * Pure, and the same planning as the controller's ({@link WorkloadPlanner}); three differences, each because the
 * request is not yet stored:
 *
 * <ul>
 *   <li>The request is <em>rebased</em>: an operator field the request sets to another value (a re-applied
 *       manifest resetting terminationGracePeriodSeconds) is the new value the operator starts from, not a fight
 *       (R6): the reset never reaches the store, so nothing rolls out and nothing is counted.</li>
 *   <li>The change travels with the request's own write, so it starts no rollout of the operator's
 *       ({@link GracefulAnnotations#ROLLOUT} is not written and the rollout budget is not asked).</li>
 *   <li>Only {@link Change#APPLY} is made at admission; an undo ({@link Change#REVERT}) or a shortened hook
 *       ({@link Change#FIT}) stays with the controller, which paces its rollouts.</li>
 * </ul>
 *
 * <p>The mutation is only made when the controller's own plan of the mutated object writes nothing (checked here,
 * each time): the webhook and the controller can never disagree into a loop.
 */
public final class AdmissionPlanner {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ANNOTATIONS = "/metadata/annotations";

  /**
   * @param patch the JSON Patch for the AdmissionReview response; empty unless {@link AdmissionResult#MUTATED}
   * @param reason why, in words, for the log line
   * @param plan the plan behind the decision (policy, verdicts)
   */
  public record Decision(AdmissionResult result, ArrayNode patch, String reason, WorkloadPlan plan) {}

  private AdmissionPlanner() {
  }

  /**
   * Decides the mutation of one workload as the API server is about to store it.
   *
   * @param object the request's object (Deployment, StatefulSet, DaemonSet or Argo Rollout), defaults applied
   * @param policies the policies that may govern it (its namespace's)
   */
  public static Decision decide(HasMetadata object, List<PolicySnapshot> policies, PlanningContext context,
      NamespaceView namespace) {
    Workload requested = admitted(workloadOf(object));
    Workload rebased = rebase(requested);
    WorkloadPlan plan = WorkloadPlanner.plan(rebased, policies, context, namespace);
    String governing = plan.verdicts().isEmpty() ? "no policy selects it"
        : plan.verdicts().get(0).reason() + ": " + plan.verdicts().get(0).message();
    if (plan.change() == Change.NONE) {
      return new Decision(AdmissionResult.UNCHANGED, JSON.createArrayNode(), governing, plan);
    }
    if (plan.change() != Change.APPLY) {
      return new Decision(AdmissionResult.DEFERRED, JSON.createArrayNode(), "left to the controller: "
          + plan.change().name().toLowerCase(java.util.Locale.ROOT) + " (" + plan.summary() + ")", plan);
    }
    ArrayNode patch = retarget(plan.patch(), rebased.annotations(), requested.annotations());
    HasMetadata after = apply(object, patch);
    WorkloadPlan controller = WorkloadPlanner.plan(workloadOf(after), policies, context, namespace);
    if (controller.writes()) {
      // a case the rebase does not cover: leave it to the controller rather than risk a loop between the two
      return new Decision(AdmissionResult.DEFERRED, JSON.createArrayNode(), "left to the controller, which would still "
          + controller.change().name().toLowerCase(java.util.Locale.ROOT) + " after admission ("
          + controller.summary() + ")", plan);
    }
    return new Decision(AdmissionResult.MUTATED, patch, plan.summary(), plan);
  }

  /** The kind-neutral view of a served workload object. */
  public static Workload workloadOf(HasMetadata object) {
    if (object instanceof Deployment d) {
      return Workload.of(d);
    }
    if (object instanceof StatefulSet s) {
      return Workload.of(s);
    }
    if (object instanceof DaemonSet s) {
      return Workload.of(s);
    }
    if (object instanceof ArgoRollout r) {
      return Workload.of(r);
    }
    throw new IllegalArgumentException("not a governed workload kind: " + object.getClass().getSimpleName());
  }

  /** The request as planning sees it: its change rides on the request's own write, never a rollout of its own. */
  static Workload admitted(Workload w) {
    return new Workload(w.ref(), w.generation(), w.labels(), w.annotations(), w.ownerReferences(),
        w.managedFields(), w.template(), w.strategyType(), false, w.rollout(), w.templateReferenced());
  }

  /**
   * The request with the undo record reduced to the fields that still hold the operator's values: a field the
   * request sets otherwise is the request's to decide (its value becomes the original the operator starts from),
   * and the re-apply count starts again. An unreadable record is left for the planner to report.
   */
  static Workload rebase(Workload w) {
    PodTemplateHooks current = PodTemplateHooks.of(w).orElse(null);
    ManagedRecord record;
    try {
      record = current == null ? null : ManagedRecord.read(w.annotations()).orElse(null);
    } catch (ManagedRecord.UnreadableRecordException e) {
      return w;
    }
    if (record == null) {
      return w;
    }
    Set<String> changed = record.fieldsChangedByOthers(current);
    if (changed.isEmpty() && record.reapplied() == 0) {
      return w;
    }
    Map<String, ManagedRecord.Original> originals = new TreeMap<>(record.originalHooks());
    Map<String, LifecycleHandler> applied = new TreeMap<>(record.appliedHooks());
    originals.keySet().removeAll(changed);
    applied.keySet().removeAll(changed);
    boolean graceKept = record.gracePeriodChanged() && !changed.contains(ManagedRecord.GRACE_FIELD);
    Map<String, String> annotations = new LinkedHashMap<>(w.annotations());
    GracefulAnnotations.OWNED.stream().filter(k -> !k.equals(GracefulAnnotations.ROLLOUT))
        .forEach(annotations::remove);
    if (!applied.isEmpty() || graceKept) {
      annotations.putAll(new ManagedRecord(record.policy(), originals, applied, graceKept,
          graceKept ? record.originalGracePeriod() : null, graceKept ? record.appliedGracePeriod() : null, 0, null)
          .toAnnotations());
    }
    return new Workload(w.ref(), w.generation(), w.labels(), annotations, w.ownerReferences(), w.managedFields(),
        w.template(), w.strategyType(), w.restartsPods(), w.rollout(), w.templateReferenced());
  }

  /**
   * The plan's patch made against the rebased annotations, re-aimed at the request's: the template operations
   * stay (the rebase leaves the template alone), the annotation operations are recomputed from the operator's
   * annotations the plan ends with.
   */
  static ArrayNode retarget(ArrayNode patch, Map<String, String> rebased, Map<String, String> requested) {
    ArrayNode out = JSON.createArrayNode();
    Map<String, String> owned = new LinkedHashMap<>();
    for (String key : GracefulAnnotations.OWNED) {
      if (rebased.containsKey(key)) {
        owned.put(key, rebased.get(key));
      }
    }
    for (JsonNode op : patch) {
      String path = op.path("path").asText();
      if (path.equals(ANNOTATIONS)) {
        owned.clear();
        op.path("value").fields().forEachRemaining(e -> owned.put(e.getKey(), e.getValue().asText()));
      } else if (path.startsWith(ANNOTATIONS + "/")) {
        String key = path.substring(ANNOTATIONS.length() + 1).replace("~1", "/").replace("~0", "~");
        switch (op.path("op").asText()) {
          case "add", "replace" -> owned.put(key, op.path("value").asText());
          case "remove" -> owned.remove(key);
          default -> { }
        }
      } else {
        out.add(op);
      }
    }
    Map<String, String> desired = new LinkedHashMap<>();
    GracefulAnnotations.OWNED.stream().filter(owned::containsKey).forEach(k -> desired.put(k, owned.get(k)));
    JsonPatchWriter.annotationOps(out, requested, desired);
    return out;
  }

  /** The object as the API server stores it after the patch (through its JSON form, as the server does). */
  static HasMetadata apply(HasMetadata object, ArrayNode patch) {
    try {
      JsonNode out = JsonPatch.apply(patch, JSON.valueToTree(object));
      return JSON.treeToValue(out, object.getClass());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("the planned patch does not apply to the request's object: " + e.getMessage(),
          e);
    }
  }
}
