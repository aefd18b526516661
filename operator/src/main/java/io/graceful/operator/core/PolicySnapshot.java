package io.graceful.operator.core;

import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;

/**
 * What planning needs to know of one policy: identity, age (for precedence), generation and spec.
 * Built by the glue from the cached custom resource, so that the core never sees client classes.
 *
 * @param creationTimestamp RFC 3339, as the API server writes it; compared as text, which orders correctly
 */
public record PolicySnapshot(PolicyRef ref, String creationTimestamp, long generation, GracefulPolicySpec spec) {

  /** A namespaced GracefulPolicy. */
  public PolicySnapshot(String namespace, String name, String creationTimestamp, long generation,
      GracefulPolicySpec spec) {
    this(new PolicyRef(namespace, name), creationTimestamp, generation, spec);
  }

  /** The policy's namespace; null for a cluster policy. */
  public String namespace() {
    return ref.namespace();
  }

  /** The policy's name, as verdicts, status and metrics name it. */
  public String name() {
    return ref.name();
  }
}
