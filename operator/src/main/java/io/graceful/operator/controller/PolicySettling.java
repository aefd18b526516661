package io.graceful.operator.controller;

import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Holds Deployment writes back while a namespace's policies are still changing. {@code kubectl apply -f policies.yaml}
 * creates policies one after another, milliseconds apart; without a pause a Deployment matched by two of them gets
 * the first one's values and, a moment later, the winner's: two rollouts where one was meant (seen on a real API
 * server, README "Design"). Only spec changes, creations and deletions count: the status writes of the policy
 * controller do not move the policy's generation.
 */
public final class PolicySettling {
  private final Duration settle;
  private final LongSupplier nanoTime;
  /** policy uid -> generation last seen. */
  private final Map<String, Long> generations = new ConcurrentHashMap<>();
  /** namespace -> nanoTime of its last policy spec change, creation or deletion. */
  private final Map<String, Long> lastChange = new ConcurrentHashMap<>();

  public PolicySettling(Duration settle, LongSupplier nanoTime) {
    this.settle = settle;
    this.nanoTime = nanoTime;
  }

  /** Called with every policy event; {@code deleted} when the policy is gone from the cache. */
  public void seen(GracefulPolicy policy, boolean deleted) {
    if (settle.isZero()) {
      return;
    }
    String uid = policy.getMetadata().getUid();
    Long generation = policy.getMetadata().getGeneration();
    boolean changed;
    if (deleted) {
      changed = generations.remove(uid) != null;
    } else {
      Long before = generations.put(uid, generation == null ? 0L : generation);
      changed = before == null || !before.equals(generation == null ? 0L : generation);
    }
    if (changed) {
      lastChange.put(policy.getMetadata().getNamespace(), nanoTime.getAsLong());
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
