package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;

/** Event filters for the workload informers. */
public final class WorkloadFilters {
  private WorkloadFilters() {
  }

  /**
   * Updates that can change a decision (see {@link DeploymentChanges}), plus status updates of workloads whose
   * rollout the budget tracks (their completion frees a slot, their failure may halt a policy).
   */
  public static <T extends HasMetadata> OnUpdateFilter<T> relevantUpdate(KindSupport<T> kind, RolloutBudget budget) {
    return (now, before) -> DeploymentChanges.relevant(now, before, kind.spec())
        || budget.watches(now, kind.view().apply(now));
  }
}
