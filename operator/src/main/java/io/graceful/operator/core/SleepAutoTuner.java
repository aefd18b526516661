package io.graceful.operator.core;

import io.graceful.operator.api.v1alpha1.DrainStatus;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import io.graceful.operator.api.v1alpha1.PolicyMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code spec.preStop.tune.mode: Auto}: the policy's effective sleep follows the recommendation, at most once per
 * measurement window. The tuned sleep and the moment it last changed live in {@code status.drain}
 * ({@code tunedSleepSeconds}, {@code lastTunedTime}), so a restarted operator keeps the pacing and planning reads the
 * effective sleep from the policy like any other value: the workload writes that follow are paced by the rollout
 * budget as for a spec edit. A policy in Audit mode never tunes; a workload's {@code graceful.io/sleep-seconds}
 * still wins over the policy's sleep, tuned or not.
 */
public final class SleepAutoTuner {
  /** Event reason on the policy when the tuned sleep changes. */
  public static final String SLEEP_TUNED = "SleepTuned";

  private SleepAutoTuner() {
  }

  /**
   * The tuned sleep after this reconciliation.
   *
   * @param tunedSleepSeconds the effective sleep tuning chose, null while the spec's applies
   * @param lastTunedTime RFC 3339, when {@code tunedSleepSeconds} last changed; null when it never did
   */
  public record Tuned(Long tunedSleepSeconds, String lastTunedTime) {
    static final Tuned NONE = new Tuned(null, null);
  }

  /** The policy tunes its sleep: tune mode Auto and policy mode not Audit. */
  public static boolean tunes(GracefulPolicySpec spec) {
    if (spec == null || spec.getPreStop() == null || spec.getPreStop().getTune() == null) {
      return false;
    }
    return "Auto".equals(spec.getPreStop().getTune().getMode())
        && !PolicyMode.Audit.name().equals(spec.getMode());
  }

  /**
   * Decides the tuned sleep: it moves to the recommendation when there is one (enough samples, room in the grace
   * period), it differs from the effective sleep, and the last change is at least one window ago. Otherwise the
   * previous state is kept unchanged, so an unchanged world gives an equal status. A policy that stops tuning
   * forgets it, and its spec's sleep applies again.
   *
   * @param previous status.drain as the policy has it now (may be null)
   * @param specSleep the spec's sleepSeconds
   */
  public static Tuned decide(boolean tunes, DrainStatus previous, long specSleep, SleepRecommendation recommendation,
      Duration window, Instant now) {
    if (!tunes) {
      return Tuned.NONE;
    }
    Tuned kept = previous == null ? Tuned.NONE
        : new Tuned(previous.getTunedSleepSeconds(), previous.getLastTunedTime());
    OptionalLong wanted = recommendation.sleepSeconds();
    long effective = kept.tunedSleepSeconds() != null ? kept.tunedSleepSeconds() : specSleep;
    if (wanted.isEmpty() || wanted.getAsLong() == effective || !windowPassed(kept.lastTunedTime(), window, now)) {
      return kept;
    }
    return new Tuned(wanted.getAsLong(), now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
  }

  /**
   * The tuned sleep planning uses for this policy: status.drain.tunedSleepSeconds while the policy tunes, else empty
   * (the spec's sleep).
   */
  public static OptionalLong effective(GracefulPolicySpec spec, DrainStatus drain) {
    if (!tunes(spec) || drain == null || drain.getTunedSleepSeconds() == null) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(drain.getTunedSleepSeconds());
  }

  /**
   * How long until a change the window holds back may happen: empty when nothing waits (no recommendation that
   * differs, or the window has passed already).
   */
  public static Optional<Duration> waiting(boolean tunes, Tuned tuned, long specSleep,
      SleepRecommendation recommendation, Duration window, Instant now) {
    if (!tunes || tuned.lastTunedTime() == null || recommendation.sleepSeconds().isEmpty()) {
      return Optional.empty();
    }
    long effective = tuned.tunedSleepSeconds() != null ? tuned.tunedSleepSeconds() : specSleep;
    if (recommendation.sleepSeconds().getAsLong() == effective) {
      return Optional.empty();
    }
    if (windowPassed(tuned.lastTunedTime(), window, now)) {
      return Optional.empty();
    }
    return Optional.of(Duration.between(now, Instant.parse(tuned.lastTunedTime()).plus(window)));
  }

  /**
   * The Event text when the tuned sleep changed between two statuses, with the numbers; empty when it did not.
   *
   * @param specSleep the spec's sleepSeconds, the effective sleep before the first tuning
   */
  public static Optional<String> change(DrainStatus before, DrainStatus after, long specSleep) {
    Long old = before == null ? null : before.getTunedSleepSeconds();
    Long now = after == null ? null : after.getTunedSleepSeconds();
    if (now == null || now.equals(old)) {
      return Optional.empty();
    }
    long from = old == null ? specSleep : old;
    return Optional.of(String.format(java.util.Locale.ROOT,
        "sleep %d s -> %d s: p99 %.1f s over %d samples (window %s), recommended %d s; next change not before %s "
            + "+ %s", from, now, after.getP99Seconds(), after.getSamples(), after.getWindow(),
        after.getRecommendedSleepSeconds(), after.getLastTunedTime(), after.getWindow()));
  }

  private static boolean windowPassed(String lastTunedTime, Duration window, Instant now) {
    if (lastTunedTime == null) {
      return true;
    }
    try {
      return !now.isBefore(Instant.parse(lastTunedTime).plus(window));
    } catch (java.time.format.DateTimeParseException e) {
      return true; // a garbled time stamp (edited by hand) must not stop tuning forever
    }
  }
}
