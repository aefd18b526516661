package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.graceful.operator.api.v1alpha1.GracefulPolicyStatus;
import io.graceful.operator.api.v1alpha1.PolicyCondition;
import io.graceful.operator.core.PolicyStatusCalculator;

/**
 * The Warning Events a freshly written policy status calls for, the same for both policy kinds: the rollout circuit
 * breaker is open (RolloutsHalted), or the spec is invalid and the policy changes nothing (InvalidSpec).
 */
final class PolicyWarnings {
  private PolicyWarnings() {
  }

  static void report(EventRecorder events, HasMetadata policy, GracefulPolicyStatus status) {
    status.getConditions().stream()
        .filter(c -> PolicyStatusCalculator.ROLLOUTS_HALTED.equals(c.getType()) && "True".equals(c.getStatus()))
        .map(PolicyCondition::getMessage)
        .findFirst()
        .ifPresent(message -> events.decided(policy, "Warning", "RolloutsHalted", message));
    status.getConditions().stream()
        .filter(c -> PolicyStatusCalculator.VALID.equals(c.getType()) && "False".equals(c.getStatus()))
        .map(PolicyCondition::getMessage)
        .findFirst()
        .ifPresent(problems -> events.decided(policy, "Warning", "InvalidSpec",
            "the policy is invalid and changes nothing: " + problems));
  }
}
