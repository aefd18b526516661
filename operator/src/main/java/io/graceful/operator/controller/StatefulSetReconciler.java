package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.graceful.operator.core.PlanningContext;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** The StatefulSet controller: {@link WorkloadReconciler} for statefulsets. */
@ControllerConfiguration(name = StatefulSetReconciler.NAME, generationAwareEventProcessing = false,
    // deletions too (without a finalizer): the policy statuses must drop a deleted workload
    triggerReconcilerOnAllEvents = true)
public class StatefulSetReconciler extends WorkloadReconciler<StatefulSet> {
  public static final String NAME = "statefulsets";

  /** @param planning the planning context now (what action Auto means can change while the operator runs) */
  public StatefulSetReconciler(java.util.function.Supplier<PlanningContext> planning, WorkloadWriter writer,
      EventRecorder events, DecisionListener listener, RolloutBudget budget, PolicyStatusTrigger statusTrigger,
      PolicySettling settling, WriteFailures failures, Wakeups wakeups, ClusterPolicyScope clusterScope) {
    super(KindSupport.STATEFUL_SETS, planning, writer, events, listener, budget, statusTrigger, settling, failures,
        wakeups, clusterScope);
  }
}
