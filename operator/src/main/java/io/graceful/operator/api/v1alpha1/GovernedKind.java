package io.graceful.operator.api.v1alpha1;

/**
 * The workload kinds a policy can govern ({@code spec.workloads}); the CRD's enum. Argo Rollouts are not served
 * yet, so {@code Rollout} is not offered.
 */
public enum GovernedKind {
  Deployment, StatefulSet, DaemonSet
}
