package io.graceful.operator.api.v1alpha1;

/** Where one Deployment stands with respect to one policy. */
public enum DeploymentState {
  Applied, Pending, Skipped, Audit, Conflict
}
