package io.graceful.operator.api.v1alpha1;

/**
 * The workload kinds a policy can govern ({@code spec.workloads}); the CRD's enum. {@code Rollout} (Argo Rollouts)
 * is governed only while its CRD is installed; a policy listing it meanwhile says so in its Valid condition.
 */
public enum GovernedKind {
  Deployment, StatefulSet, DaemonSet, Rollout
}
