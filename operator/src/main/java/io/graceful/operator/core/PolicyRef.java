package io.graceful.operator.core;

import java.util.Objects;

/**
 * Which policy: a namespaced GracefulPolicy ({@code namespace} set) or a cluster-scoped one ({@code namespace}
 * null; a ClusterGracefulPolicy). The workload annotations
 * {@code graceful.io/policy} and {@code graceful.io/applied-policy} name a policy relative to the workload's
 * namespace: {@code web} is the GracefulPolicy web of that namespace, {@code cluster/web} the cluster policy web.
 * A namespaced policy's value is its bare name, exactly what the operator writes today, so existing annotations
 * keep their meaning.
 */
public record PolicyRef(String namespace, String name) {
  /** Prefix of an annotation value that names a cluster policy. */
  public static final String CLUSTER_PREFIX = "cluster/";

  public PolicyRef {
    Objects.requireNonNull(name, "name");
  }

  public static PolicyRef namespaced(String namespace, String name) {
    return new PolicyRef(Objects.requireNonNull(namespace, "namespace"), name);
  }

  public static PolicyRef cluster(String name) {
    return new PolicyRef(null, name);
  }

  /**
   * The policy an annotation value names, for a workload in {@code workloadNamespace}; null for a missing or
   * blank value. Never fails: a value that names no policy (say {@code a/b}, which no policy is called) is a
   * reference that matches nothing, and planning reports it as not found.
   */
  public static PolicyRef parse(String annotationValue, String workloadNamespace) {
    if (annotationValue == null || annotationValue.isBlank()) {
      return null;
    }
    String value = annotationValue.trim();
    return value.startsWith(CLUSTER_PREFIX) ? cluster(value.substring(CLUSTER_PREFIX.length()))
        : new PolicyRef(workloadNamespace, value);
  }

  public boolean isCluster() {
    return namespace == null;
  }

  /** What a workload's annotation says to name this policy: {@code name}, or {@code cluster/name}. */
  public String annotationValue() {
    return isCluster() ? CLUSTER_PREFIX + name : name;
  }

  /**
   * A string key for indexes: {@code namespace/name}, or {@code /name} for a cluster policy (no namespace is
   * empty, so a namespace called "cluster" cannot collide with it).
   */
  public String key() {
    return (isCluster() ? "" : namespace) + "/" + name;
  }

  @Override
  public String toString() {
    return isCluster() ? "cluster policy " + name : "policy " + namespace + "/" + name;
  }
}
