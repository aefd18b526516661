package io.graceful.operator.core;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.util.Map;
import java.util.Objects;

/** Reads a Deployment's rollout from its status, the way {@code kubectl rollout status} does. */
public final class RolloutProgress {
  /** Where a Deployment's latest rollout stands. */
  public enum State { COMPLETE, IN_PROGRESS, FAILED }

  private RolloutProgress() {
  }

  public static State of(Deployment d) {
    DeploymentStatus s = d.getStatus();
    if (s != null && s.getConditions() != null) {
      for (DeploymentCondition c : s.getConditions()) {
        if ("Progressing".equals(c.getType()) && "False".equals(c.getStatus())
            && "ProgressDeadlineExceeded".equals(c.getReason())) {
          return State.FAILED;
        }
      }
    }
    if (!restartsPods(d)) {
      return State.COMPLETE;
    }
    long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    int desired = desiredReplicas(d);
    boolean caughtUp = s != null && s.getObservedGeneration() != null && s.getObservedGeneration() >= generation;
    boolean done = caughtUp && n(s.getUpdatedReplicas()) == desired && n(s.getReadyReplicas()) == desired
        && n(s.getAvailableReplicas()) == desired && n(s.getReplicas()) == desired;
    return done ? State.COMPLETE : State.IN_PROGRESS;
  }

  /**
   * Whether a template change would restart pods now: not when the Deployment is scaled to zero, nor when it has
   * no pods yet (brand new), so such changes need no rollout budget.
   */
  public static boolean restartsPods(Deployment d) {
    return desiredReplicas(d) > 0 && d.getStatus() != null && n(d.getStatus().getReplicas()) > 0;
  }

  private static int desiredReplicas(Deployment d) {
    Integer r = d.getSpec() == null ? null : d.getSpec().getReplicas();
    return r == null ? 1 : r;
  }

  private static int n(Integer i) {
    return i == null ? 0 : i;
  }

  /**
   * The generation of the operator's last pod-template write that is the Deployment's latest template, if any:
   * the {@link GracefulAnnotations#ROLLOUT} annotation, when the Deployment is at exactly that generation.
   */
  public static java.util.OptionalLong operatorRollout(Deployment d) {
    Map<String, String> a = d.getMetadata().getAnnotations();
    String value = a == null ? null : a.get(GracefulAnnotations.ROLLOUT);
    if (value == null) {
      return java.util.OptionalLong.empty();
    }
    try {
      long g = Long.parseLong(value.trim());
      long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
      return g == generation ? java.util.OptionalLong.of(g) : java.util.OptionalLong.empty();
    } catch (NumberFormatException e) {
      return java.util.OptionalLong.empty();
    }
  }

  /** The operator's own rollout is under way: it counts against the rollout budget. */
  public static boolean operatorRolloutInFlight(Deployment d) {
    return operatorRollout(d).isPresent() && restartsPods(d) && of(d) == State.IN_PROGRESS;
  }

  /** The operator's own rollout failed (ProgressDeadlineExceeded): it counts towards the circuit breaker. */
  public static boolean operatorRolloutFailed(Deployment d) {
    return operatorRollout(d).isPresent() && of(d) == State.FAILED;
  }

  /** Whether the plan changes the pod template (and so starts a rollout), rather than only annotations. */
  public static boolean changesTemplate(WorkloadPlan plan) {
    for (var op : plan.patch()) {
      if (Objects.toString(op.path("path").asText(), "").startsWith("/spec/") && !"test".equals(op.path("op").asText())) {
        return true;
      }
    }
    return false;
  }
}
