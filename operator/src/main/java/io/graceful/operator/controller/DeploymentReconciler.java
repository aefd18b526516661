package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.graceful.operator.core.PlanningContext;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** The Deployment controller: {@link WorkloadReconciler} for deployments. */
@ControllerConfiguration(name = DeploymentReconciler.NAME, generationAwareEventProcessing = false,
    // deletions too (without a finalizer): the policy statuses must drop a deleted workload
    triggerReconcilerOnAllEvents = true)
public class DeploymentReconciler extends WorkloadReconciler<Deployment> {
  public static final String NAME = "deployments";

  /** @param planning the planning context now (what action Auto means can change while the operator runs) */
  public DeploymentReconciler(java.util.function.Supplier<PlanningContext> planning, WorkloadWriter writer,
      EventRecorder events, DecisionListener listener, RolloutBudget budget, PolicyStatusTrigger statusTrigger,
      PolicySettling settling, WriteFailures failures, Wakeups wakeups, ClusterPolicyScope clusterScope) {
    super(KindSupport.DEPLOYMENTS, planning, writer, events, listener, budget, statusTrigger, settling, failures,
        wakeups, clusterScope);
  }
}
