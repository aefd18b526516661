package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.graceful.operator.api.v1alpha1.ClusterGracefulPolicy;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;

/**
 * Lets the Deployment controller ask for the status of a namespace's policies to be recomputed. The policy
 * controller reads Deployments from the Deployment controller's cache instead of keeping a second informer (every
 * Deployment event would otherwise be decoded and cached twice), so Deployment changes reach it through here.
 * Requests for one policy are coalesced by the framework while its reconciliation runs. Every ClusterGracefulPolicy
 * (when served) is asked too: its status counts workloads of every namespace.
 */
public final class PolicyStatusTrigger {
  private volatile Target<GracefulPolicy> policies;
  private volatile Target<ClusterGracefulPolicy> clusterPolicies;

  private record Target<P extends HasMetadata>(SimpleInboundEventSource<P> source, IndexerResourceCache<P> cache) {
    void all() {
      cache.list().forEach(p -> source.propagateEvent(ResourceID.fromResource(p)));
    }
  }

  void connect(SimpleInboundEventSource<GracefulPolicy> source, IndexerResourceCache<GracefulPolicy> policies) {
    this.policies = new Target<>(source, policies);
  }

  void connectCluster(SimpleInboundEventSource<ClusterGracefulPolicy> source,
      IndexerResourceCache<ClusterGracefulPolicy> policies) {
    this.clusterPolicies = new Target<>(source, policies);
  }

  /** Something every policy's status depends on changed (what action Auto means, or why). */
  public void allChanged() {
    Target<GracefulPolicy> p = policies;
    if (p != null) {
      p.all();
    }
    clusterChanged();
  }

  /** Something about a Deployment of {@code namespace} changed (or it was deleted). */
  public void namespaceChanged(String namespace) {
    Target<GracefulPolicy> p = policies;
    if (p != null) {
      NamespaceIndex.in(p.cache(), namespace).forEach(policy -> p.source().propagateEvent(
          ResourceID.fromResource(policy)));
    }
    clusterChanged();
  }

  private void clusterChanged() {
    Target<ClusterGracefulPolicy> c = clusterPolicies;
    if (c != null) {
      c.all();
    }
  }
}
