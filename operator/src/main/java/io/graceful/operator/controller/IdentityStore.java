package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.function.Supplier;

/**
 * An informer store that keeps of each object only its name, namespace, uid and resourceVersion (for pods also the
 * owner references and the pod-template-hash labels: which workload a kubelet Event's pod belongs to). Drain measurement
 * reacts to pod and EndpointSlice events and keeps what it needs in its tracker; the informer needs its store only
 * to tell, after a relist, which objects disappeared. A pod (or a slice of 100 endpoints) is kilobytes; this is a
 * few dozen bytes, whatever the cluster's pod count.
 */
final class IdentityStore<T extends HasMetadata> extends BasicItemStore<T> {
  private static final java.util.Set<String> KEPT_LABELS = java.util.Set.of("pod-template-hash",
      "rollouts-pod-template-hash");
  private final Supplier<T> empty;
  private final boolean keepOwners;

  IdentityStore(Supplier<T> empty, boolean keepOwners) {
    super(Cache::metaNamespaceKeyFunc);
    this.empty = empty;
    this.keepOwners = keepOwners;
  }

  @Override
  public T put(String key, T object) {
    return super.put(key, prune(object));
  }

  T prune(T object) {
    T out = empty.get();
    ObjectMeta meta = new ObjectMeta();
    if (object.getMetadata() != null) {
      meta.setName(object.getMetadata().getName());
      meta.setNamespace(object.getMetadata().getNamespace());
      meta.setUid(object.getMetadata().getUid());
      meta.setResourceVersion(object.getMetadata().getResourceVersion());
      if (keepOwners) {
        meta.setOwnerReferences(object.getMetadata().getOwnerReferences());
        if (object.getMetadata().getLabels() != null) {
          java.util.Map<String, String> labels = new java.util.HashMap<>(object.getMetadata().getLabels());
          labels.keySet().retainAll(KEPT_LABELS);
          meta.setLabels(labels);
        }
      }
    }
    out.setMetadata(meta);
    return out;
  }
}
