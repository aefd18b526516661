package io.graceful.operator.controller;

import java.util.Objects;

/**
 * Which workload updates can change a decision: labels and annotations (R10: they do not bump generation), the
 * spec (generation), and deletion. Status-only updates, the bulk of a rollout's traffic, are dropped.
 */
final class DeploymentChanges {
  private DeploymentChanges() {
  }

  /** @param spec reads the kind's spec */
  static <T extends io.fabric8.kubernetes.api.model.HasMetadata> boolean relevant(T now, T before,
      java.util.function.Function<T, Object> spec) {
    return !Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
        || !Objects.equals(now.getMetadata().getLabels(), before.getMetadata().getLabels())
        || !Objects.equals(now.getMetadata().getAnnotations(), before.getMetadata().getAnnotations())
        || !Objects.equals(now.getMetadata().getDeletionTimestamp(), before.getMetadata().getDeletionTimestamp())
        // the mock API server (and any server without generation) leaves generation unset: compare the template
        || now.getMetadata().getGeneration() == null
            && !Objects.equals(spec.apply(now), spec.apply(before));
  }
}
