package io.graceful.operator.core;

import java.util.Locale;
import java.util.OptionalLong;

/**
 * The preStop sleep the measured drain asks for: the 99th percentile plus a margin, rounded up to whole seconds,
 * within the user's [min, max], and never more than the grace period leaves room for (R1: sleep + shutdown <= grace
 * and sleep < grace, when something other than the operator fixes the grace period, e.g. a GitOps manifest).
 * Nothing is recommended before enough samples exist: a handful of terminations says little about the 99th
 * percentile.
 *
 * @param sleepSeconds empty while there are too few samples or no sleep fits
 * @param reason NotEnoughSamples, Measured, RaisedToMin, CappedAtMax, CappedByGracePeriod or NoRoom
 * @param message the numbers behind it, for status and Events
 */
public record SleepRecommendation(OptionalLong sleepSeconds, String reason, String message) {

  /** What the user allows: the margin added to p99, the bounds, and the sample count needed first. */
  public record Tuning(double marginSeconds, long minSeconds, long maxSeconds, int minSamples) {
    public Tuning {
      if (marginSeconds < 0 || minSeconds < 1 || maxSeconds < minSeconds || minSamples < 1) {
        throw new IllegalArgumentException("invalid tuning: margin >= 0, 1 <= min <= max, minSamples >= 1");
      }
    }
  }

  /**
   * @param graceCap the grace period when the operator may not raise it (a GitOps manifest sets it), else empty
   */
  public static SleepRecommendation recommend(DrainStatistics stats, Tuning tuning, long shutdownSeconds,
      OptionalLong graceCap) {
    if (stats.samples() < tuning.minSamples()) {
      return new SleepRecommendation(OptionalLong.empty(), "NotEnoughSamples", stats.samples() + " of "
          + tuning.minSamples() + " samples needed before recommending a sleep");
    }
    long measured = (long) Math.ceil(stats.p99Seconds() + tuning.marginSeconds() - 1e-9);
    long sleep = Math.max(tuning.minSeconds(), Math.min(tuning.maxSeconds(), measured));
    String reason = measured < tuning.minSeconds() ? "RaisedToMin"
        : measured > tuning.maxSeconds() ? "CappedAtMax" : "Measured";
    String basis = String.format(Locale.ROOT, "p99 %.1f s + margin %.1f s over %d samples",
        stats.p99Seconds(), tuning.marginSeconds(), stats.samples());
    if (graceCap.isPresent()) {
      long room = Math.min(graceCap.getAsLong() - shutdownSeconds, graceCap.getAsLong() - 1);
      if (room < 1) {
        return new SleepRecommendation(OptionalLong.empty(), "NoRoom", basis + "; terminationGracePeriodSeconds "
            + graceCap.getAsLong() + " leaves no room for a sleep with shutdown " + shutdownSeconds + " s");
      }
      if (sleep > room) {
        return new SleepRecommendation(OptionalLong.of(room), "CappedByGracePeriod", basis + " asks for "
            + sleep + " s; terminationGracePeriodSeconds " + graceCap.getAsLong() + " leaves room for " + room + " s");
      }
    }
    return new SleepRecommendation(OptionalLong.of(sleep), reason, basis + (reason.equals("Measured") ? ""
        : reason.equals("RaisedToMin") ? "; raised to the minimum " + tuning.minSeconds() + " s"
        : "; capped at the maximum " + tuning.maxSeconds() + " s") + ": sleep " + sleep + " s");
  }
}
