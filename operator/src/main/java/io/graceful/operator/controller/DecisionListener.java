package io.graceful.operator.controller;

import io.graceful.operator.core.DeploymentPlan;

/** Observes decisions and writes (metrics); the reconcilers do not know who listens. */
public interface DecisionListener {
  DecisionListener NONE = new DecisionListener() {};

  default void planned(DeploymentPlan plan) {
  }

  default void written(DeploymentPlan plan) {
  }

  default void writeFailed(DeploymentPlan plan, int httpCode) {
  }

  /** Tells both, in order. */
  static DecisionListener both(DecisionListener first, DecisionListener second) {
    return new DecisionListener() {
      @Override
      public void planned(DeploymentPlan plan) {
        first.planned(plan);
        second.planned(plan);
      }

      @Override
      public void written(DeploymentPlan plan) {
        first.written(plan);
        second.written(plan);
      }

      @Override
      public void writeFailed(DeploymentPlan plan, int httpCode) {
        first.writeFailed(plan, httpCode);
        second.writeFailed(plan, httpCode);
      }
    };
  }
}
