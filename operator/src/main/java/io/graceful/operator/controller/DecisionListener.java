package io.graceful.operator.controller;

import io.graceful.operator.core.WorkloadPlan;

/** Observes decisions and writes (metrics); the reconcilers do not know who listens. */
public interface DecisionListener {
  DecisionListener NONE = new DecisionListener() {};

  default void planned(WorkloadPlan plan) {
  }

  default void written(WorkloadPlan plan) {
  }

  default void writeFailed(WorkloadPlan plan, int httpCode) {
  }

  /** Tells both, in order. */
  static DecisionListener both(DecisionListener first, DecisionListener second) {
    return new DecisionListener() {
      @Override
      public void planned(WorkloadPlan plan) {
        first.planned(plan);
        second.planned(plan);
      }

      @Override
      public void written(WorkloadPlan plan) {
        first.written(plan);
        second.written(plan);
      }

      @Override
      public void writeFailed(WorkloadPlan plan, int httpCode) {
        first.writeFailed(plan, httpCode);
        second.writeFailed(plan, httpCode);
      }
    };
  }
}
