package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.function.UnaryOperator;

/**
 * An informer store that keeps of each workload only what the operator reads ({@link KindSupport#prune}); see
 * {@link PrunedDeploymentStore} for why, and why one store serves one informer only.
 */
public final class PrunedStore<T extends HasMetadata> extends BasicItemStore<T> {
  private final UnaryOperator<T> prune;

  public PrunedStore(UnaryOperator<T> prune) {
    super(Cache::metaNamespaceKeyFunc);
    this.prune = prune;
  }

  @Override
  public T put(String key, T resource) {
    return super.put(key, prune.apply(resource));
  }
}
