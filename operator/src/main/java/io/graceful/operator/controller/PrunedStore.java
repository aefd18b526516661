package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.function.UnaryOperator;

/**
 * An informer store that keeps of each workload only what the operator reads ({@link PrunedWorkloads}).
 *
 * <p>One store serves one informer; the glue uses it only when a controller has a single informer (all
 * namespaces, or one), because a store shared by several informers would be pruned of other namespaces' items
 * on a relist.
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
