package io.graceful.operator.controller;

import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;

/**
 * Lets the Deployment controller ask for the status of a namespace's policies to be recomputed. The policy
 * controller reads Deployments from the Deployment controller's cache instead of keeping a second informer (every
 * Deployment event would otherwise be decoded and cached twice), so Deployment changes reach it through here.
 * Requests for one policy are coalesced by the framework while its reconciliation runs.
 */
public final class PolicyStatusTrigger {
  private volatile SimpleInboundEventSource<GracefulPolicy> source;
  private volatile IndexerResourceCache<GracefulPolicy> policies;

  void connect(SimpleInboundEventSource<GracefulPolicy> source, IndexerResourceCache<GracefulPolicy> policies) {
    this.policies = policies;
    this.source = source;
  }

  /** Something every policy's status depends on changed (what action Auto means, or why). */
  public void allChanged() {
    SimpleInboundEventSource<GracefulPolicy> s = source;
    IndexerResourceCache<GracefulPolicy> p = policies;
    if (s == null || p == null) {
      return;
    }
    p.list().forEach(policy -> s.propagateEvent(ResourceID.fromResource(policy)));
  }

  /** Something about a Deployment of {@code namespace} changed (or it was deleted). */
  public void namespaceChanged(String namespace) {
    SimpleInboundEventSource<GracefulPolicy> s = source;
    IndexerResourceCache<GracefulPolicy> p = policies;
    if (s == null || p == null) {
      return;
    }
    NamespaceIndex.in(p, namespace).forEach(policy -> s.propagateEvent(ResourceID.fromResource(policy)));
  }
}
