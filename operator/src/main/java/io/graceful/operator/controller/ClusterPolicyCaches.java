package io.graceful.operator.controller;

import io.graceful.operator.core.NamespaceView;
import io.graceful.operator.core.PolicySnapshot;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The cluster policies and Namespaces as the ClusterGracefulPolicy controller caches them, for the GracefulPolicy
 * status controller: a workload's plan depends on every policy in scope, so a namespaced policy's status is planned
 * with the cluster policies too (one named by a workload's annotation wins over it). Empty when cluster policies are
 * not served.
 */
public final class ClusterPolicyCaches {
  private volatile ClusterGracefulPolicyReconciler source;
  private volatile BooleanSupplier synced = () -> true;

  /** @param synced whether that controller's informers are running and have listed everything */
  public void connect(ClusterGracefulPolicyReconciler source, BooleanSupplier synced) {
    this.source = source;
    this.synced = synced;
  }

  /** Not served, or served and synced: a status planned now is not missing a cluster policy. */
  public boolean synced() {
    return source == null || synced.getAsBoolean();
  }

  public List<PolicySnapshot> snapshots() {
    ClusterGracefulPolicyReconciler s = source;
    return s == null ? List.of() : s.snapshots();
  }

  public NamespaceView view(String namespace) {
    ClusterGracefulPolicyReconciler s = source;
    return s == null ? NamespaceView.UNKNOWN : s.view(namespace);
  }
}
