package io.graceful.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * The drain statistics and the sleep recommendation: percentiles are measured values in order, independent of the
 * order samples arrive in; the recommendation stays in [min, max], never breaks R1 against a grace period the
 * operator may not raise, and only appears after enough samples.
 */
class DrainProperties {
  private static final Instant T0 = Instant.parse("2026-11-29T00:00:00Z");

  @Provide
  Arbitrary<List<DrainSample>> samples() {
    Arbitrary<DrainSample> one = Combinators.combine(
        Arbitraries.longs().between(0, 86_400_000L),
        Arbitraries.longs().between(0, 600_000L),
        Arbitraries.integers().between(0, 9),
        Arbitraries.longs().between(0, 120))
        .as((startMs, latencyMs, never, hook) -> {
          Instant start = T0.plusMillis(startMs);
          Instant end = start.plusMillis(latencyMs);
          return never == 0 ? new DrainSample(start, null, end, hook) : new DrainSample(start, end, null, hook);
        });
    return one.list().ofMaxSize(300);
  }

  @Provide
  Arbitrary<SleepRecommendation.Tuning> tunings() {
    return Combinators.combine(Arbitraries.doubles().between(0, 30).ofScale(1),
        Arbitraries.longs().between(1, 60), Arbitraries.longs().between(0, 600), Arbitraries.integers().between(1, 50))
        .as((margin, min, extra, minSamples) -> new SleepRecommendation.Tuning(margin, min, min + extra, minSamples));
  }

  @Property
  void percentilesAreOrderedMeasuredValues(@ForAll("samples") List<DrainSample> samples) {
    DrainStatistics s = DrainStatistics.of(samples);
    assertThat(s.samples()).isEqualTo(samples.size());
    if (samples.isEmpty()) {
      assertThat(s).isEqualTo(DrainStatistics.EMPTY);
      return;
    }
    List<Double> latencies = samples.stream().map(DrainSample::latencySeconds).toList();
    assertThat(latencies).contains(s.p50Seconds(), s.p99Seconds(), s.maxSeconds());
    assertThat(s.p50Seconds()).isLessThanOrEqualTo(s.p99Seconds());
    assertThat(s.p99Seconds()).isLessThanOrEqualTo(s.maxSeconds());
    assertThat(s.maxSeconds()).isEqualTo(Collections.max(latencies));
    assertThat(s.unsafeTerminations()).isEqualTo((int) samples.stream().filter(DrainSample::unsafe).count());
  }

  @Property
  void theOrderOfArrivalChangesNothing(@ForAll("samples") List<DrainSample> samples, @ForAll long seed,
      @ForAll("tunings") SleepRecommendation.Tuning tuning) {
    List<DrainSample> shuffled = new ArrayList<>(samples);
    Collections.shuffle(shuffled, new Random(seed));
    assertThat(DrainStatistics.of(shuffled)).isEqualTo(DrainStatistics.of(samples));
    Instant now = T0.plus(Duration.ofHours(24));
    assertThat(DrainStatistics.window(shuffled, now, Duration.ofHours(6), 50))
        .isEqualTo(DrainStatistics.window(samples, now, Duration.ofHours(6), 50));
    assertThat(SleepRecommendation.recommend(DrainStatistics.of(shuffled), tuning, 10, OptionalLong.empty()))
        .isEqualTo(SleepRecommendation.recommend(DrainStatistics.of(samples), tuning, 10, OptionalLong.empty()));
  }

  @Property
  void theRecommendationStaysWithinMinAndMax(@ForAll("samples") List<DrainSample> samples,
      @ForAll("tunings") SleepRecommendation.Tuning tuning, @ForAll @LongRange(min = 0, max = 3600) long shutdown) {
    SleepRecommendation r = SleepRecommendation.recommend(DrainStatistics.of(samples), tuning, shutdown,
        OptionalLong.empty());
    if (samples.size() < tuning.minSamples()) {
      assertThat(r.sleepSeconds()).isEmpty();
      assertThat(r.reason()).isEqualTo("NotEnoughSamples");
      return;
    }
    assertThat(r.sleepSeconds()).isPresent();
    assertThat(r.sleepSeconds().getAsLong()).isBetween(tuning.minSeconds(), tuning.maxSeconds());
    // within the bounds, the sleep covers p99 plus the margin
    DrainStatistics s = DrainStatistics.of(samples);
    if (r.reason().equals("Measured") || r.reason().equals("RaisedToMin")) {
      assertThat((double) r.sleepSeconds().getAsLong()).isGreaterThanOrEqualTo(s.p99Seconds() + tuning.marginSeconds()
          - 1e-6);
    }
  }

  @Property
  void theRecommendationNeverBreaksR1AgainstAFixedGracePeriod(@ForAll("samples") List<DrainSample> samples,
      @ForAll("tunings") SleepRecommendation.Tuning tuning, @ForAll @LongRange(min = 0, max = 600) long shutdown,
      @ForAll @LongRange(min = 1, max = 7200) long grace) {
    SleepRecommendation r = SleepRecommendation.recommend(DrainStatistics.of(samples), tuning, shutdown,
        OptionalLong.of(grace));
    r.sleepSeconds().ifPresent(sleep -> {
      assertThat(sleep).isLessThan(grace);
      assertThat(sleep + shutdown).isLessThanOrEqualTo(grace);
      assertThat(sleep).isPositive();
    });
    if (r.sleepSeconds().isEmpty()) {
      assertThat(r.reason()).isIn("NotEnoughSamples", "NoRoom");
    }
  }

  @Property
  void aLongerDrainNeverLowersTheRecommendation(@ForAll("samples") List<DrainSample> samples,
      @ForAll("tunings") SleepRecommendation.Tuning tuning, @ForAll @IntRange(min = 0, max = 600_000) int extraMs) {
    List<DrainSample> more = new ArrayList<>(samples);
    double max = DrainStatistics.of(samples).maxSeconds();
    more.add(new DrainSample(T0, T0.plusMillis((long) (max * 1000) + extraMs), null, 0));
    OptionalLong before = SleepRecommendation.recommend(DrainStatistics.of(samples), tuning, 0, OptionalLong.empty())
        .sleepSeconds();
    OptionalLong after = SleepRecommendation.recommend(DrainStatistics.of(more), tuning, 0, OptionalLong.empty())
        .sleepSeconds();
    if (before.isPresent()) {
      assertThat(after.getAsLong()).isGreaterThanOrEqualTo(before.getAsLong());
    }
  }

  @Property
  void theWindowKeepsOnlyRecentSamplesUpToItsCapacity(@ForAll("samples") List<DrainSample> samples,
      @ForAll @IntRange(min = 1, max = 100) int capacity, @ForAll @IntRange(min = 1, max = 48) int hours) {
    Instant now = T0.plus(Duration.ofHours(24));
    List<DrainSample> kept = DrainStatistics.window(samples, now, Duration.ofHours(hours), capacity);
    assertThat(kept).hasSizeLessThanOrEqualTo(capacity);
    assertThat(kept).allMatch(s -> !s.terminationStart().isBefore(now.minus(Duration.ofHours(hours))));
    long eligible = samples.stream().filter(s -> !s.terminationStart().isBefore(now.minus(Duration.ofHours(hours)))
        && !s.terminationStart().isAfter(now)).count();
    assertThat(kept).hasSize((int) Math.min(eligible, capacity));
  }
}
