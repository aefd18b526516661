package io.graceful.operator.controller;

/**
 * Whether this operator serves ClusterGracefulPolicies, decided once at start-up: only when it watches every
 * namespace (a namespaced install can neither list Namespaces nor govern workloads outside its watch scope) and the
 * ClusterGracefulPolicy CRD is installed. When not served, no controller watches cluster policies or Namespaces and
 * planning sees namespaced policies only.
 *
 * @param operatorNamespace the operator's own namespace, which cluster policies select only by name (null: unknown)
 */
public record ClusterPolicyScope(boolean served, String operatorNamespace) {
  /** Cluster policies are not served. */
  public static final ClusterPolicyScope OFF = new ClusterPolicyScope(false, null);

  public static ClusterPolicyScope served(String operatorNamespace) {
    return new ClusterPolicyScope(true, operatorNamespace == null || operatorNamespace.isBlank() ? null
        : operatorNamespace);
  }
}
