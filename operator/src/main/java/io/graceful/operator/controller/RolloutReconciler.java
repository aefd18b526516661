package io.graceful.operator.controller;

import io.graceful.operator.api.argo.ArgoRollout;
import io.graceful.operator.core.PlanningContext;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/**
 * The Argo Rollout controller: {@link WorkloadReconciler} for rollouts.argoproj.io. Registered only while the CRD
 * is installed (a framework instance of its own, started and stopped by {@code ArgoRollouts}).
 */
@ControllerConfiguration(name = RolloutReconciler.NAME, generationAwareEventProcessing = false,
    // deletions too (without a finalizer): the policy statuses must drop a deleted workload
    triggerReconcilerOnAllEvents = true)
public class RolloutReconciler extends WorkloadReconciler<ArgoRollout> {
  public static final String NAME = "rollouts";

  /** @param planning the planning context now (what action Auto means can change while the operator runs) */
  public RolloutReconciler(java.util.function.Supplier<PlanningContext> planning, WorkloadWriter writer,
      EventRecorder events, DecisionListener listener, RolloutBudget budget, PolicyStatusTrigger statusTrigger,
      PolicySettling settling, WriteFailures failures, Wakeups wakeups, ClusterPolicyScope clusterScope) {
    super(KindSupport.ROLLOUTS, planning, writer, events, listener, budget, statusTrigger, settling, failures,
        wakeups, clusterScope);
  }
}
