package io.graceful.operator.controller;

import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Holds Deployment writes back while a namespace's policies are still changing. {@code kubectl apply -f policies.yaml}
 * creates policies one after another, milliseconds apart; without a pause a Deployment matched by two of them gets
 * the first one's values and, a moment later, the winner's: two rollouts where one was meant (seen on a real API
 * server, README "Design"). Only spec changes, creations and deletions count: the status writes of the policy
 * controller do not move the policy's generation. A ClusterGracefulPolicy's change holds every namespace it selects,
 * before and after the change (those it stops selecting revert).
 */
public final class PolicySettling {
  private final Duration settle;
  private final LongSupplier nanoTime;
  /** policy uid -> generation last seen. */
  private final Map<String, Long> generations = new ConcurrentHashMap<>();
  /** cluster policy uid -> the namespaces it selected when last seen. */
  private final Map<String, Set<String>> selected = new ConcurrentHashMap<>();
  /** namespace -> nanoTime of its last policy spec change, creation or deletion. */
  private final Map<String, Long> lastChange = new ConcurrentHashMap<>();

  public PolicySettling(Duration settle, LongSupplier nanoTime) {
    this.settle = settle;
    this.nanoTime = nanoTime;
  }

  /** Called with every policy event; {@code deleted} when the policy is gone from the cache. */
  public void seen(GracefulPolicy policy, boolean deleted) {
    seen(policy.getMetadata().getUid(), policy.getMetadata().getGeneration(), deleted,
        Set.of(policy.getMetadata().getNamespace()));
  }

  /**
   * Called with every cluster policy event.
   *
   * @param namespaces the namespaces the policy selects now (none once deleted)
   */
  public void seenCluster(String uid, Long generation, boolean deleted, Set<String> namespaces) {
    if (settle.isZero()) {
      return;
    }
    Set<String> affected = new HashSet<>(namespaces);
    Set<String> before = deleted ? selected.remove(uid) : selected.put(uid, Set.copyOf(namespaces));
    if (before != null) {
      affected.addAll(before);
    }
    seen(uid, generation, deleted, affected);
  }

  private void seen(String uid, Long generation, boolean deleted, Set<String> namespaces) {
    if (settle.isZero()) {
      return;
    }
    long now = generation == null ? 0L : generation;
    boolean changed;
    if (deleted) {
      changed = generations.remove(uid) != null;
    } else {
      Long before = generations.put(uid, now);
      changed = before == null || before != now;
    }
    if (changed) {
      long at = nanoTime.getAsLong();
      namespaces.forEach(ns -> lastChange.put(ns, at));
    }
  }

  /** How long writes in {@code namespace} must still wait; zero when its policies have settled. */
  public Duration remaining(String namespace) {
    Long at = lastChange.get(namespace);
    if (at == null) {
      return Duration.ZERO;
    }
    long left = settle.toNanos() - (nanoTime.getAsLong() - at);
    if (left <= 0) {
      lastChange.remove(namespace, at);
      return Duration.ZERO;
    }
    return Duration.ofNanos(left);
  }
}
