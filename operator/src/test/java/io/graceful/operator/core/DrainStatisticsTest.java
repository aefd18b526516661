package io.graceful.operator.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class DrainStatisticsTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static final SleepRecommendation.Tuning TUNING = new SleepRecommendation.Tuning(2, 3, 60, 20);

  private static DrainSample removedAfter(long millis, long hook) {
    return new DrainSample(T0, T0.plusMillis(millis), null, hook);
  }

  private static List<DrainSample> hundredSamples(long hook) {
    List<DrainSample> samples = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      samples.add(removedAfter(i * 100L, hook)); // 0.1 s .. 10.0 s
    }
    return samples;
  }

  @Test
  void nearestRankPercentiles() {
    DrainStatistics s = DrainStatistics.of(hundredSamples(15));
    assertThat(s).isEqualTo(new DrainStatistics(100, 5.0, 9.9, 10.0, 0));
  }

  @Test
  void aPodStillRoutedWhenItWasGoneIsUnsafeAndCountsUntilItWasGone() {
    DrainSample never = new DrainSample(T0, null, T0.plusSeconds(31), 5);
    assertThat(never.unsafe()).isTrue();
    assertThat(never.latencySeconds()).isEqualTo(31.0);
    assertThat(removedAfter(5_000, 5).unsafe()).as("left routing exactly when the hook ended").isFalse();
    assertThat(removedAfter(5_001, 5).unsafe()).isTrue();
    assertThatThrownBy(() -> new DrainSample(T0, null, null, 5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void recommendsP99PlusMarginRoundedUp() {
    SleepRecommendation r = SleepRecommendation.recommend(DrainStatistics.of(hundredSamples(15)), TUNING, 10,
        OptionalLong.empty());
    assertThat(r.sleepSeconds()).hasValue(12); // 9.9 + 2 = 11.9 -> 12
    assertThat(r.reason()).isEqualTo("Measured");
    assertThat(r.message()).contains("p99 9.9 s", "margin 2.0 s", "100 samples", "sleep 12 s");
  }

  @Test
  void nothingBeforeEnoughSamples() {
    SleepRecommendation r = SleepRecommendation.recommend(DrainStatistics.of(hundredSamples(15).subList(0, 19)),
        TUNING, 10, OptionalLong.empty());
    assertThat(r.sleepSeconds()).isEmpty();
    assertThat(r.message()).isEqualTo("19 of 20 samples needed before recommending a sleep");
  }

  @Test
  void aGracePeriodSetByAManifestCapsTheSleep() {
    SleepRecommendation r = SleepRecommendation.recommend(DrainStatistics.of(hundredSamples(15)), TUNING, 25,
        OptionalLong.of(30));
    assertThat(r.sleepSeconds()).hasValue(5);
    assertThat(r.reason()).isEqualTo("CappedByGracePeriod");
    assertThat(SleepRecommendation.recommend(DrainStatistics.of(hundredSamples(15)), TUNING, 30, OptionalLong.of(30))
        .reason()).isEqualTo("NoRoom");
  }

  @Test
  void sufficiencyNeedsSamplesThenComparesP99AndUnsafeTerminations() {
    assertThat(SleepSufficiency.evaluate(DrainStatistics.EMPTY, 10, 20).status()).isEqualTo("Unknown");
    SleepSufficiency tooShort = SleepSufficiency.evaluate(DrainStatistics.of(hundredSamples(5)), 5, 20);
    assertThat(tooShort.status()).isEqualTo("False");
    assertThat(tooShort.reason()).isEqualTo("UnsafeTerminations");
    assertThat(tooShort.message()).isEqualTo(
        "sleep 5 s is shorter than the drain: p50 5.0 s, p99 9.9 s, max 10.0 s over 100 samples, 50 unsafe");
    assertThat(SleepSufficiency.evaluate(DrainStatistics.of(hundredSamples(15)), 15, 20).status()).isEqualTo("True");
  }
}
