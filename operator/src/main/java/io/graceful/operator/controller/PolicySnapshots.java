package io.graceful.operator.controller;

import io.graceful.operator.api.v1alpha1.ClusterGracefulPolicy;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.core.PolicySnapshot;

/** Converts a cached custom resource into the core's view of it. */
public final class PolicySnapshots {
  private PolicySnapshots() {
  }

  public static PolicySnapshot of(GracefulPolicy policy) {
    Long generation = policy.getMetadata().getGeneration();
    return new PolicySnapshot(policy.getMetadata().getNamespace(), policy.getMetadata().getName(),
        policy.getMetadata().getCreationTimestamp(), generation == null ? 0 : generation, policy.getSpec());
  }

  public static PolicySnapshot of(ClusterGracefulPolicy policy) {
    Long generation = policy.getMetadata().getGeneration();
    return PolicySnapshot.cluster(policy.getMetadata().getName(), policy.getMetadata().getCreationTimestamp(),
        generation == null ? 0 : generation, policy.getSpec(),
        policy.getSpec() == null ? null : policy.getSpec().getNamespaceSelector());
  }
}
