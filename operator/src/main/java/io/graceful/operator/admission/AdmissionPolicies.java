package io.graceful.operator.admission;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.controller.PolicySnapshots;
import io.graceful.operator.core.PolicySnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The policies the webhook plans with, from informers of its own: the controllers' caches run only on the leader
 * (JOSDK starts event sources when leadership is acquired), while every replica answers admission requests.
 */
final class AdmissionPolicies implements AutoCloseable {
  private final List<SharedIndexInformer<GracefulPolicy>> informers = new ArrayList<>();

  /** Starts the informers (all namespaces, or each watched one) and waits for their first list. */
  AdmissionPolicies(KubernetesClient client, Set<String> watchNamespaces) {
    if (watchNamespaces.isEmpty()) {
      informers.add(client.resources(GracefulPolicy.class).inAnyNamespace().inform());
    } else {
      watchNamespaces.forEach(ns -> informers.add(client.resources(GracefulPolicy.class).inNamespace(ns).inform()));
    }
  }

  boolean synced() {
    return informers.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  /** The namespace's policies, as the core sees them. */
  List<PolicySnapshot> in(String namespace) {
    List<PolicySnapshot> out = new ArrayList<>();
    for (SharedIndexInformer<GracefulPolicy> informer : informers) {
      for (GracefulPolicy p : informer.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace)) {
        out.add(PolicySnapshots.of(p));
      }
    }
    return out;
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
  }
}
