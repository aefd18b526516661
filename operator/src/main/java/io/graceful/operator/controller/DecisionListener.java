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
}
