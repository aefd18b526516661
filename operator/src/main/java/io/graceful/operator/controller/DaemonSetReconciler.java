package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.graceful.operator.core.PlanningContext;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** The DaemonSet controller: {@link WorkloadReconciler} for daemonsets. */
@ControllerConfiguration(name = DaemonSetReconciler.NAME, generationAwareEventProcessing = false,
    // deletions too (without a finalizer): the policy statuses must drop a deleted workload
    triggerReconcilerOnAllEvents = true)
public class DaemonSetReconciler extends WorkloadReconciler<DaemonSet> {
  public static final String NAME = "daemonsets";

  /** @param planning the planning context now (what action Auto means can change while the operator runs) */
  public DaemonSetReconciler(java.util.function.Supplier<PlanningContext> planning, WorkloadWriter writer,
      EventRecorder events, DecisionListener listener, RolloutBudget budget, PolicyStatusTrigger statusTrigger,
      PolicySettling settling, WriteFailures failures, Wakeups wakeups, ClusterPolicyScope clusterScope) {
    super(KindSupport.DAEMON_SETS, planning, writer, events, listener, budget, statusTrigger, settling, failures,
        wakeups, clusterScope);
  }
}
