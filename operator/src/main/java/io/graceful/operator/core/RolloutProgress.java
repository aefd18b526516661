package io.graceful.operator.core;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.graceful.operator.api.argo.ArgoRollout;
import io.graceful.operator.api.argo.RolloutStatus;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a workload's rollout from its status, the way {@code kubectl rollout status} does for each kind. A
 * Deployment (its progress deadline) and an Argo Rollout (Degraded) can fail; StatefulSets and DaemonSets have no
 * such condition, so their rollouts are in progress or complete. Only an Argo Rollout can be paused.
 */
public final class RolloutProgress {
  /**
   * Where a workload's latest rollout stands. PAUSED (an Argo Rollout at a canary pause step, or paused by hand) is
   * unfinished like IN_PROGRESS: it holds a rollout slot until it is promoted.
   */
  public enum State { COMPLETE, IN_PROGRESS, PAUSED, FAILED }

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

  /**
   * A StatefulSet's rollout. RollingUpdate (also with a partition) is complete only when every pod runs the update
   * revision ({@code currentRevision == updateRevision}): a partitioned update holds until the partition is lowered
   * to 0 and the rest has rolled. OnDelete: complete when every pod runs the current template, which happens only as
   * pods are deleted.
   */
  public static State of(StatefulSet set) {
    StatefulSetStatus s = set.getStatus();
    long generation = set.getMetadata().getGeneration() == null ? 0 : set.getMetadata().getGeneration();
    boolean caughtUp = s != null && s.getObservedGeneration() != null && s.getObservedGeneration() >= generation;
    if (onDelete(set)) {
      return !caughtUp && n(s == null ? null : s.getReplicas()) > 0
          || caughtUp && n(s.getUpdatedReplicas()) < n(s.getReplicas()) ? State.IN_PROGRESS : State.COMPLETE;
    }
    if (!restartsPods(set)) {
      return State.COMPLETE;
    }
    int desired = desiredReplicas(set);
    boolean done = caughtUp && n(s.getUpdatedReplicas()) == desired && n(s.getReadyReplicas()) == desired
        && n(s.getReplicas()) == desired && Objects.equals(s.getCurrentRevision(), s.getUpdateRevision());
    return done ? State.COMPLETE : State.IN_PROGRESS;
  }

  /** A DaemonSet's rollout: complete when every node that should run a pod runs an updated, available one. */
  public static State of(DaemonSet set) {
    DaemonSetStatus s = set.getStatus();
    long generation = set.getMetadata().getGeneration() == null ? 0 : set.getMetadata().getGeneration();
    boolean caughtUp = s != null && s.getObservedGeneration() != null && s.getObservedGeneration() >= generation;
    int desired = s == null ? 0 : n(s.getDesiredNumberScheduled());
    if (onDelete(set)) {
      return !caughtUp && desired > 0 || caughtUp && n(s.getUpdatedNumberScheduled()) < desired
          ? State.IN_PROGRESS : State.COMPLETE;
    }
    if (!restartsPods(set)) {
      return State.COMPLETE;
    }
    boolean done = caughtUp && n(s.getUpdatedNumberScheduled()) >= desired && n(s.getNumberAvailable()) >= desired;
    return done ? State.COMPLETE : State.IN_PROGRESS;
  }

  /**
   * Whether a template change would restart pods now: not when scaled to zero or without pods yet, and never under
   * updateStrategy OnDelete (pods pick it up when deleted), so such changes need no rollout budget.
   */
  public static boolean restartsPods(StatefulSet set) {
    return !onDelete(set) && desiredReplicas(set) > 0 && set.getStatus() != null
        && n(set.getStatus().getReplicas()) > 0;
  }

  /** The same for a DaemonSet: it has pods once a node should run one. */
  public static boolean restartsPods(DaemonSet set) {
    return !onDelete(set) && set.getStatus() != null && n(set.getStatus().getDesiredNumberScheduled()) > 0
        && n(set.getStatus().getCurrentNumberScheduled()) > 0;
  }

  /**
   * An Argo Rollout's rollout, from the status its controller writes (Argo Rollouts docs, "Rollout status" and
   * {@code kubectl argo rollouts status}; the phase is computed by its {@code rolloututil.GetRolloutPhase}):
   * <ul>
   *   <li>FAILED: phase {@code Degraded} (progress deadline exceeded or aborted), or condition Progressing=False
   *       with reason {@code ProgressDeadlineExceeded} or {@code RolloutAborted} (older controllers write no
   *       phase) - the circuit breaker counts it, as a Deployment's;
   *   <li>IN_PROGRESS: the controller has not seen the latest generation ({@code status.observedGeneration}, a
   *       decimal string, below {@code metadata.generation}), or phase {@code Progressing};
   *   <li>PAUSED: phase {@code Paused} (a canary pause step, a blue-green awaiting promotion, a manual pause);
   *   <li>COMPLETE: phase {@code Healthy}; without a phase, when every desired replica is updated and available.
   * </ul>
   */
  public static State of(ArgoRollout r) {
    RolloutStatus s = r.getStatus();
    if (s != null && ("Degraded".equals(s.getPhase()) || s.getConditions() != null && s.getConditions().stream()
        .anyMatch(c -> "Progressing".equals(c.getType()) && "False".equals(c.getStatus())
            && ("ProgressDeadlineExceeded".equals(c.getReason()) || "RolloutAborted".equals(c.getReason()))))) {
      return State.FAILED;
    }
    if (!restartsPods(r)) {
      return State.COMPLETE;
    }
    long generation = r.getMetadata().getGeneration() == null ? 0 : r.getMetadata().getGeneration();
    if (observedGeneration(s) < generation) {
      return State.IN_PROGRESS;
    }
    if (s.getPhase() != null) {
      return switch (s.getPhase()) {
        case "Healthy" -> State.COMPLETE;
        case "Paused" -> State.PAUSED;
        default -> State.IN_PROGRESS;
      };
    }
    int desired = desiredReplicas(r);
    boolean done = n(s.getUpdatedReplicas()) == desired && n(s.getAvailableReplicas()) == desired
        && n(s.getReplicas()) == desired;
    return done ? State.COMPLETE : State.IN_PROGRESS;
  }

  /**
   * Whether a template change would restart pods now: not when scaled to zero or without pods yet, and never for a
   * Rollout whose template is another workload's ({@code spec.workloadRef}).
   */
  public static boolean restartsPods(ArgoRollout r) {
    return (r.getSpec() == null || r.getSpec().getWorkloadRef() == null) && desiredReplicas(r) > 0
        && r.getStatus() != null && n(r.getStatus().getReplicas()) > 0;
  }

  /**
   * Argo writes the generation it observed as a decimal string; controllers before v1.0 wrote a hash there, which
   * says nothing about generations, so it counts as caught up (their progress then comes from the replica counts).
   */
  private static long observedGeneration(RolloutStatus s) {
    if (s == null || s.getObservedGeneration() == null) {
      return -1;
    }
    try {
      return Long.parseLong(s.getObservedGeneration().trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static int desiredReplicas(ArgoRollout r) {
    Integer replicas = r.getSpec() == null ? null : r.getSpec().getReplicas();
    return replicas == null ? 1 : replicas;
  }

  private static boolean onDelete(StatefulSet set) {
    return set.getSpec() != null && set.getSpec().getUpdateStrategy() != null
        && "OnDelete".equals(set.getSpec().getUpdateStrategy().getType());
  }

  private static boolean onDelete(DaemonSet set) {
    return set.getSpec() != null && set.getSpec().getUpdateStrategy() != null
        && "OnDelete".equals(set.getSpec().getUpdateStrategy().getType());
  }

  private static int desiredReplicas(StatefulSet set) {
    Integer r = set.getSpec() == null ? null : set.getSpec().getReplicas();
    return r == null ? 1 : r;
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

  /**
   * The generation of the operator's last pod-template write that is the workload's latest template, if any (see
   * {@link #operatorRollout(Deployment)}), for any kind.
   */
  public static java.util.OptionalLong operatorRollout(Workload w) {
    String value = w.annotations().get(GracefulAnnotations.ROLLOUT);
    if (value == null) {
      return java.util.OptionalLong.empty();
    }
    try {
      long g = Long.parseLong(value.trim());
      return g == w.generation() ? java.util.OptionalLong.of(g) : java.util.OptionalLong.empty();
    } catch (NumberFormatException e) {
      return java.util.OptionalLong.empty();
    }
  }

  /**
   * The operator's own rollout of this workload is under way: it counts against the rollout budget. A paused Argo
   * Rollout counts too: its pods are not all replaced, and more rollouts would pile up behind a pause nobody lifts.
   */
  public static boolean operatorRolloutInFlight(Workload w) {
    return operatorRollout(w).isPresent() && w.restartsPods()
        && (w.rollout() == State.IN_PROGRESS || w.rollout() == State.PAUSED);
  }

  /** The operator's own rollout of this workload failed (a Deployment's or an Argo Rollout's): circuit breaker. */
  public static boolean operatorRolloutFailed(Workload w) {
    return operatorRollout(w).isPresent() && w.rollout() == State.FAILED;
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
