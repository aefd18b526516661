package io.graceful.operator.core;

import java.time.Instant;
import java.util.Optional;

/**
 * When a pod's termination started, from its metadata. On a real API server a graceful delete sets
 * {@code deletionTimestamp} to the request time PLUS the grace period ("delete no later than"), and
 * {@code deletionGracePeriodSeconds} to that grace period; so the moment termination started (the kubelet starts the
 * preStop hook and the EndpointSlice controller marks the endpoint not ready) is {@code deletionTimestamp -
 * deletionGracePeriodSeconds}. Taking {@code deletionTimestamp} itself would put the start a whole grace period too
 * late and every drain would look instant.
 *
 * <p>The grace period can later be shortened (the kubelet's final delete with grace 0 moves {@code deletionTimestamp}
 * to "now"), which makes the difference move forward: callers keep the first start they derived for a pod.
 */
public final class TerminationStart {
  private TerminationStart() {
  }

  /**
   * @param deletionTimestamp the pod's {@code metadata.deletionTimestamp}; empty when the pod is not terminating
   * @param deletionGracePeriodSeconds the pod's {@code metadata.deletionGracePeriodSeconds}; null counts as 0
   */
  public static Optional<Instant> of(Instant deletionTimestamp, Long deletionGracePeriodSeconds) {
    if (deletionTimestamp == null) {
      return Optional.empty();
    }
    long grace = deletionGracePeriodSeconds == null ? 0 : Math.max(0, deletionGracePeriodSeconds);
    return Optional.of(deletionTimestamp.minusSeconds(grace));
  }
}
