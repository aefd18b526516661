package io.graceful.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.graceful.operator.api.v1alpha1.DrainStatus;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import io.graceful.operator.api.v1alpha1.PreStopSpec;
import io.graceful.operator.api.v1alpha1.SleepTuning;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SleepAutoTunerTest {
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  private static final Duration WINDOW = Duration.ofHours(1);

  private static SleepRecommendation rec(long s) {
    return new SleepRecommendation(OptionalLong.of(s), "Measured", "");
  }

  private static DrainStatus drain(Long tuned, String at) {
    DrainStatus d = new DrainStatus();
    d.setTunedSleepSeconds(tuned);
    d.setLastTunedTime(at);
    return d;
  }

  private static GracefulPolicySpec spec(String tuneMode, String policyMode) {
    GracefulPolicySpec spec = new GracefulPolicySpec();
    PreStopSpec preStop = new PreStopSpec();
    preStop.setSleepSeconds(5L);
    SleepTuning tune = new SleepTuning();
    tune.setMode(tuneMode);
    preStop.setTune(tune);
    spec.setPreStop(preStop);
    spec.setMode(policyMode);
    return spec;
  }

  @Test
  void firstTuningHappensAtOnceAndStampsTheTime() {
    SleepAutoTuner.Tuned t = SleepAutoTuner.decide(true, null, 5, rec(12), WINDOW, NOW.plusMillis(300));
    assertThat(t).isEqualTo(new SleepAutoTuner.Tuned(12L, "2026-11-29T12:00:00Z"));
  }

  @Test
  void aRecommendationEqualToTheSpecSleepTunesNothing() {
    assertThat(SleepAutoTuner.decide(true, null, 5, rec(5), WINDOW, NOW)).isEqualTo(new SleepAutoTuner.Tuned(null, null));
  }

  @Test
  void insideTheWindowTheTunedSleepIsKeptAndTheWaitIsKnown() {
    DrainStatus previous = drain(12L, "2026-11-29T11:30:00Z");
    SleepAutoTuner.Tuned t = SleepAutoTuner.decide(true, previous, 5, rec(20), WINDOW, NOW);
    assertThat(t).isEqualTo(new SleepAutoTuner.Tuned(12L, "2026-11-29T11:30:00Z"));
    assertThat(SleepAutoTuner.waiting(true, t, 5, rec(20), WINDOW, NOW)).contains(Duration.ofMinutes(30));
    assertThat(SleepAutoTuner.waiting(true, t, 5, rec(12), WINDOW, NOW)).isEmpty();
    SleepAutoTuner.Tuned later = SleepAutoTuner.decide(true, previous, 5, rec(20), WINDOW, NOW.plus(Duration.ofMinutes(30)));
    assertThat(later).isEqualTo(new SleepAutoTuner.Tuned(20L, "2026-11-29T12:30:00Z"));
  }

  @Test
  void noRecommendationKeepsWhatWasTuned() {
    DrainStatus previous = drain(12L, "2026-11-29T08:00:00Z");
    SleepRecommendation none = new SleepRecommendation(OptionalLong.empty(), "NotEnoughSamples", "");
    assertThat(SleepAutoTuner.decide(true, previous, 5, none, WINDOW, NOW))
        .isEqualTo(new SleepAutoTuner.Tuned(12L, "2026-11-29T08:00:00Z"));
  }

  @Test
  void aGarbledTimeStampDoesNotStopTuning() {
    assertThat(SleepAutoTuner.decide(true, drain(12L, "yesterday"), 5, rec(8), WINDOW, NOW).tunedSleepSeconds())
        .isEqualTo(8L);
  }

  @Test
  void onlyTuneModeAutoOutsideAuditTunes() {
    assertThat(SleepAutoTuner.tunes(spec("Auto", null))).isTrue();
    assertThat(SleepAutoTuner.tunes(spec("Auto", "Enforce"))).isTrue();
    assertThat(SleepAutoTuner.tunes(spec("Auto", "Audit"))).isFalse();
    assertThat(SleepAutoTuner.tunes(spec("Recommend", null))).isFalse();
    assertThat(SleepAutoTuner.tunes(spec(null, null))).isFalse();
    assertThat(SleepAutoTuner.tunes(new GracefulPolicySpec())).isFalse();
    assertThat(SleepAutoTuner.decide(false, drain(12L, "2026-11-29T08:00:00Z"), 5, rec(20), WINDOW, NOW))
        .isEqualTo(new SleepAutoTuner.Tuned(null, null));
  }

  @Test
  void theEffectiveSleepComesFromTheStatusOnlyWhileTuning() {
    assertThat(SleepAutoTuner.effective(spec("Auto", null), drain(12L, "x"))).hasValue(12);
    assertThat(SleepAutoTuner.effective(spec("Auto", "Audit"), drain(12L, "x"))).isEmpty();
    assertThat(SleepAutoTuner.effective(spec("Recommend", null), drain(12L, "x"))).isEmpty();
    assertThat(SleepAutoTuner.effective(spec("Auto", null), null)).isEmpty();
  }

  @Test
  void theTunedSleepIsTheSnapshotsEffectiveSleepButTheSpecIsValidatedAsWritten() {
    GracefulPolicySpec spec = spec("Auto", null);
    spec.setShutdownSeconds(10L);
    spec.setTerminationGracePeriodSeconds(20L); // 5 + 10 <= 20; the tuned 30 s is covered by R2 raising the grace
    PolicySnapshot p = new PolicySnapshot("ns", "web", "2026-01-01T00:00:00Z", 1, spec).withTunedSleep(30L);
    assertThat(p.settings().valid()).isTrue();
    assertThat(p.settings().settings().sleepSeconds()).isEqualTo(30);
    assertThat(p.withTunedSleep(null).settings().settings().sleepSeconds()).isEqualTo(5);
  }

  @Test
  void theEventSaysOldAndNewWithTheNumbers() {
    DrainStatus after = drain(12L, "2026-11-29T12:00:00Z");
    after.setP99Seconds(9.4);
    after.setSamples(25);
    after.setWindow("1h");
    after.setRecommendedSleepSeconds(12L);
    assertThat(SleepAutoTuner.change(null, after, 5)).contains("sleep 5 s -> 12 s: p99 9.4 s over 25 samples "
        + "(window 1h), recommended 12 s; next change not before 2026-11-29T12:00:00Z + 1h");
    assertThat(SleepAutoTuner.change(drain(8L, "t"), after, 5)).hasValueSatisfying(m -> m.startsWith("sleep 8 s -> 12 s"));
    assertThat(SleepAutoTuner.change(after, after, 5)).isEmpty();
    assertThat(SleepAutoTuner.change(after, drain(null, null), 5)).isEmpty();
  }
}
