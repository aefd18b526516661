package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Objects;

/**
 * Which Deployment updates can change a decision: labels and annotations (R10: they do not bump generation), the
 * spec (generation), and deletion. Status-only updates, the bulk of a rollout's traffic, are dropped.
 */
final class DeploymentChanges {
  private DeploymentChanges() {
  }

  static boolean relevant(Deployment now, Deployment before) {
    return !Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
        || !Objects.equals(now.getMetadata().getLabels(), before.getMetadata().getLabels())
        || !Objects.equals(now.getMetadata().getAnnotations(), before.getMetadata().getAnnotations())
        || !Objects.equals(now.getMetadata().getDeletionTimestamp(), before.getMetadata().getDeletionTimestamp())
        // the mock API server (and any server without generation) leaves generation unset: compare the template
        || now.getMetadata().getGeneration() == null
            && !Objects.equals(now.getSpec(), before.getSpec());
  }
}
