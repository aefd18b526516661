package io.graceful.operator.core;

import java.util.Locale;

/**
 * Whether the sleep in use covers the measured drain: the value of the policy condition SleepSufficient. Unknown
 * until enough samples exist; False when an unsafe termination was seen or the 99th percentile outlasts the sleep
 * (with the numbers, so the message is the evidence); True otherwise.
 *
 * @param status True, False or Unknown
 */
public record SleepSufficiency(String status, String reason, String message) {

  public static SleepSufficiency evaluate(DrainStatistics stats, long sleepSeconds, int minSamples) {
    String numbers = String.format(Locale.ROOT, "p50 %.1f s, p99 %.1f s, max %.1f s over %d samples, %d unsafe",
        stats.p50Seconds(), stats.p99Seconds(), stats.maxSeconds(), stats.samples(), stats.unsafeTerminations());
    if (stats.samples() < minSamples) {
      return new SleepSufficiency("Unknown", "NotEnoughSamples",
          stats.samples() + " of " + minSamples + " samples measured so far");
    }
    if (stats.p99Seconds() > sleepSeconds) {
      return new SleepSufficiency("False", stats.unsafeTerminations() > 0 ? "UnsafeTerminations" : "DrainOutlastsSleep",
          "sleep " + sleepSeconds + " s is shorter than the drain: " + numbers);
    }
    if (stats.unsafeTerminations() > 0) {
      // the policy's sleep covers p99, yet pods were routed past their own hook: pods that ran a shorter hook (or
      // none, e.g. pods from before the policy applied), or the odd drain beyond p99
      return new SleepSufficiency("False", "UnsafeTerminations", stats.unsafeTerminations() + " terminated pods "
          + "were still routed when their preStop hook ended (pods with a shorter hook or none, or a drain beyond "
          + "p99); sleep " + sleepSeconds + " s: " + numbers);
    }
    return new SleepSufficiency("True", "DrainWithinSleep", "sleep " + sleepSeconds + " s covers the drain: "
        + numbers);
  }
}
