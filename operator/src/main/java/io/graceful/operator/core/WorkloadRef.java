package io.graceful.operator.core;

import java.util.Objects;

/**
 * Which workload: kind, namespace and name. A StatefulSet and a Deployment of the same name are different
 * workloads, so every map the operator keeps per workload is keyed by this, never by "namespace/name".
 */
public record WorkloadRef(WorkloadKind kind, String namespace, String name) {

  public WorkloadRef {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
  }

  public static WorkloadRef deployment(String namespace, String name) {
    return new WorkloadRef(WorkloadKind.Deployment, namespace, name);
  }

  /** A string key for indexes and maps keyed by text: {@code Kind/namespace/name}. */
  public String key() {
    return kind.name() + "/" + namespace + "/" + name;
  }

  /** As people write it in logs: {@code Deployment shop/web}. */
  @Override
  public String toString() {
    return kind.name() + " " + namespace + "/" + name;
  }
}
