package io.graceful.operator.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One terminating pod as routing saw it: when its termination started ({@code deletionTimestamp} set), when the
 * last EndpointSlice that served it stopped doing so (not ready, not serving, or removed), and the sleep its preStop
 * hook had. Drain measurement compares the two moments; the sleep decides whether SIGTERM came too early.
 *
 * @param leftRouting null when an EndpointSlice still served the pod when it was gone: it never left routing before
 *     the process stopped, and the sample counts as unsafe with the time until the pod was gone as its latency
 * @param gone when the pod object disappeared (used only when {@code leftRouting} is null)
 */
public record DrainSample(Instant terminationStart, Instant leftRouting, Instant gone, long hookSeconds) {

  public DrainSample {
    Objects.requireNonNull(terminationStart, "terminationStart");
    if (leftRouting == null && gone == null) {
      throw new IllegalArgumentException("a sample needs the moment the pod left routing or the moment it was gone");
    }
  }

  /** Seconds from the start of termination until routing let go of the pod (or, never, until it was gone). */
  public double latencySeconds() {
    Instant end = leftRouting != null ? leftRouting : gone;
    return Math.max(0, Duration.between(terminationStart, end).toMillis()) / 1000.0;
  }

  /**
   * SIGTERM reached a pod that could still receive traffic: routing let go of it after the hook ended (termination
   * start + sleep), or never did.
   */
  public boolean unsafe() {
    return leftRouting == null || leftRouting.isAfter(terminationStart.plusSeconds(hookSeconds));
  }
}
