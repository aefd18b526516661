package io.graceful.operator.core;

/**
 * Facts about the world that planning needs but that are not in the Deployment or the policies.
 *
 * @param nativeSleep what action {@code Auto} means and whether the API server accepts the native sleep action
 * @param maxReapplies how often the operator re-applies a change someone else undid before it stops (R6)
 * @param now the time of planning, for the decay of the re-apply count ({@link #REAPPLY_DECAY}); null: no decay
 */
public record PlanningContext(NativeSleepDecision nativeSleep, int maxReapplies, java.time.Instant now) {
  /**
   * A re-apply count older than this starts again from zero: a fight happens within seconds, while the same
   * manifest released again months later is not one.
   */
  public static final java.time.Duration REAPPLY_DECAY = java.time.Duration.ofHours(1);

  public PlanningContext(NativeSleepDecision nativeSleep, int maxReapplies) {
    this(nativeSleep, maxReapplies, null);
  }

  /** A context with the native sleep forced on or off (tests, benchmarks). */
  public PlanningContext(boolean nativeSleepSupported, int maxReapplies) {
    this(NativeSleepDecision.forced(nativeSleepSupported), maxReapplies, null);
  }

  /** Action {@code Auto} resolves to the native sleep action (every kubelet runs it, or forced). */
  public boolean autoUsesSleep() {
    return nativeSleep.autoUsesSleep();
  }

  /** The API server accepts {@code lifecycle.preStop.sleep} (>= 1.30, or forced). */
  public boolean sleepAccepted() {
    return nativeSleep.sleepAccepted();
  }
}
