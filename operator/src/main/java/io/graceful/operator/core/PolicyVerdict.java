package io.graceful.operator.core;

import io.graceful.operator.api.v1alpha1.DeploymentState;

/** Where one Deployment stands with respect to one policy that matches it. */
public record PolicyVerdict(String policy, DeploymentState state, String reason, String message) {
}
