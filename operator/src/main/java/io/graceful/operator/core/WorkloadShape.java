package io.graceful.operator.core;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * Facts about a Deployment's shape that decide whether the operator may change it at all (docs/rules.md, R14 and
 * R15): another controller owns it, or its rollout strategy turns every template change into an outage.
 */
final class WorkloadShape {
  private WorkloadShape() {
  }

  /** "Kind name" of the ownerReference with {@code controller: true}, or null when no controller owns it. */
  static String controllerOwner(Deployment deployment) {
    if (deployment.getMetadata().getOwnerReferences() == null) {
      return null;
    }
    for (OwnerReference ref : deployment.getMetadata().getOwnerReferences()) {
      if (ref != null && Boolean.TRUE.equals(ref.getController())) {
        return ref.getKind() + " " + ref.getName();
      }
    }
    return null;
  }

  /** True for {@code strategy.type: Recreate}: every pod stops before any new one starts. */
  static boolean recreates(Deployment deployment) {
    return deployment.getSpec() != null && deployment.getSpec().getStrategy() != null
        && "Recreate".equals(deployment.getSpec().getStrategy().getType());
  }
}
