package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;

/** Event filters for the Deployment informers, shared by both controllers. */
public final class DeploymentFilters {
  private DeploymentFilters() {
  }

  /**
   * Updates that can change a decision (see {@link DeploymentChanges}), plus status updates of Deployments whose
   * rollout the budget tracks (their completion frees a slot, their failure may halt a policy).
   */
  public static OnUpdateFilter<Deployment> relevantUpdate(RolloutBudget budget) {
    return (now, before) -> DeploymentChanges.relevant(now, before) || budget.watches(now);
  }
}
