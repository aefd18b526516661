package io.graceful.operator.admission;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.graceful.operator.api.v1alpha1.ClusterGracefulPolicy;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.controller.ClusterPolicyScope;
import io.graceful.operator.controller.PolicySnapshots;
import io.graceful.operator.core.NamespaceView;
import io.graceful.operator.core.PolicySnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The policies the webhook plans with, from informers of its own: the controllers' caches run only on the leader
 * (JOSDK starts event sources when leadership is acquired), while every replica answers admission requests. When
 * cluster policies are served, also the ClusterGracefulPolicies and the Namespaces (their labels decide a cluster
 * policy's namespaceSelector), so the webhook plans with exactly the policies the controllers plan with.
 */
final class AdmissionPolicies implements AutoCloseable {
  private final List<SharedIndexInformer<GracefulPolicy>> informers = new ArrayList<>();
  private final ClusterPolicyScope clusterScope;
  /** Null unless cluster policies are served. */
  private final SharedIndexInformer<ClusterGracefulPolicy> clusterPolicies;
  /** Null unless cluster policies are served. */
  private final SharedIndexInformer<Namespace> namespaces;

  /** Starts the informers (all namespaces, or each watched one; cluster policies and Namespaces when served). */
  AdmissionPolicies(KubernetesClient client, Set<String> watchNamespaces, ClusterPolicyScope clusterScope) {
    this.clusterScope = clusterScope;
    if (watchNamespaces.isEmpty()) {
      informers.add(client.resources(GracefulPolicy.class).inAnyNamespace().inform());
    } else {
      watchNamespaces.forEach(ns -> informers.add(client.resources(GracefulPolicy.class).inNamespace(ns).inform()));
    }
    if (clusterScope.served()) {
      clusterPolicies = client.resources(ClusterGracefulPolicy.class).inform();
      namespaces = client.namespaces().inform();
    } else {
      clusterPolicies = null;
      namespaces = null;
    }
  }

  boolean synced() {
    return informers.stream().allMatch(SharedIndexInformer::hasSynced)
        && (clusterPolicies == null || clusterPolicies.hasSynced())
        && (namespaces == null || namespaces.hasSynced());
  }

  /**
   * The namespace's policies and every cluster policy, as the core sees them (the planner keeps the cluster policies
   * whose namespaceSelector selects the namespace, from {@link #view}).
   */
  List<PolicySnapshot> in(String namespace) {
    List<PolicySnapshot> out = new ArrayList<>();
    for (SharedIndexInformer<GracefulPolicy> informer : informers) {
      for (GracefulPolicy p : informer.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace)) {
        out.add(PolicySnapshots.of(p));
      }
    }
    if (clusterPolicies != null) {
      clusterPolicies.getStore().list().forEach(p -> out.add(PolicySnapshots.of(p)));
    }
    return out;
  }

  /** What planning knows of the namespace: its cached labels and the operator's namespace. */
  NamespaceView view(String namespace) {
    if (namespaces == null) {
      return NamespaceView.UNKNOWN;
    }
    Namespace ns = namespaces.getStore().getByKey(namespace);
    Map<String, String> labels = ns == null ? Map.of() : ns.getMetadata().getLabels();
    return new NamespaceView(labels, clusterScope.operatorNamespace());
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    if (clusterPolicies != null) {
      clusterPolicies.close();
    }
    if (namespaces != null) {
      namespaces.close();
    }
  }
}
