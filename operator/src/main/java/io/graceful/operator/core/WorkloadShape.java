package io.graceful.operator.core;

import io.fabric8.kubernetes.api.model.OwnerReference;

/**
 * Facts about a workload's shape that decide whether the operator may change it at all (docs/rules.md, R14 and
 * R15): another controller owns it, or its rollout strategy turns every template change into an outage.
 */
final class WorkloadShape {
  private WorkloadShape() {
  }

  /** "Kind name" of the ownerReference with {@code controller: true}, or null when no controller owns it. */
  static String controllerOwner(Workload workload) {
    for (OwnerReference ref : workload.ownerReferences()) {
      if (ref != null && Boolean.TRUE.equals(ref.getController())) {
        return ref.getKind() + " " + ref.getName();
      }
    }
    return null;
  }

  /**
   * True for a Deployment's {@code strategy.type: Recreate}: every pod stops before any new one starts. The other
   * kinds have no such strategy (their OnDelete restarts nothing), so the rule reads the Deployment's word only.
   */
  static boolean recreates(Workload workload) {
    return workload.ref().kind() == WorkloadKind.Deployment && "Recreate".equals(workload.strategyType());
  }

  /** {@code updateStrategy.type: OnDelete} (StatefulSet, DaemonSet): a template change restarts no pod. */
  static boolean onDelete(Workload workload) {
    return workload.ref().kind() != WorkloadKind.Deployment && "OnDelete".equals(workload.strategyType());
  }

  /**
   * An OnDelete workload whose pods do not all run its current template yet: the change is written but reaches
   * pods only when they are deleted or restarted (status reason AppliesOnNextRestart).
   */
  static boolean awaitsRestart(Workload workload) {
    return onDelete(workload) && workload.rollout() != RolloutProgress.State.COMPLETE;
  }
}
