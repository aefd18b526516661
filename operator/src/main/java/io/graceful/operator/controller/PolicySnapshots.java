package io.graceful.operator.controller;

import io.graceful.operator.api.v1alpha1.ClusterGracefulPolicy;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.core.PolicySnapshot;
import io.graceful.operator.core.SleepAutoTuner;

/** Converts a cached custom resource into the core's view of it. */
public final class PolicySnapshots {
  private PolicySnapshots() {
  }

  /** The sleep drain tuning chose, kept in the policy's status (a restart keeps it); null: the spec's. */
  private static Long tuned(GracefulPolicy policy) {
    var drain = policy.getStatus() == null ? null : policy.getStatus().getDrain();
    java.util.OptionalLong tuned = SleepAutoTuner.effective(policy.getSpec(), drain);
    return tuned.isPresent() ? tuned.getAsLong() : null;
  }

  public static PolicySnapshot of(GracefulPolicy policy) {
    Long generation = policy.getMetadata().getGeneration();
    return new PolicySnapshot(policy.getMetadata().getNamespace(), policy.getMetadata().getName(),
        policy.getMetadata().getCreationTimestamp(), generation == null ? 0 : generation, policy.getSpec())
        .withTunedSleep(tuned(policy));
  }

  public static PolicySnapshot of(ClusterGracefulPolicy policy) {
    Long generation = policy.getMetadata().getGeneration();
    return PolicySnapshot.cluster(policy.getMetadata().getName(), policy.getMetadata().getCreationTimestamp(),
        generation == null ? 0 : generation, policy.getSpec(),
        policy.getSpec() == null ? null : policy.getSpec().getNamespaceSelector());
  }
}
