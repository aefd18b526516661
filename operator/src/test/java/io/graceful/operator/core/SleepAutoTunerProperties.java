package io.graceful.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.graceful.operator.api.v1alpha1.DrainStatus;
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
 * Tune mode Auto over a stream of reconciliations with changing measurements: the tuned sleep stays in [min, max],
 * never breaks R1 against a grace period the operator may not raise, changes at most once per window, and does not
 * depend on the order the samples arrived in.
 */
class SleepAutoTunerProperties {
  private static final Instant T0 = Instant.parse("2026-11-29T00:00:00Z");
  private static final Duration WINDOW = Duration.ofHours(1);

  @Provide
  Arbitrary<List<List<DrainSample>>> batches() {
    Arbitrary<DrainSample> one = Combinators.combine(Arbitraries.longs().between(0, 3_600_000L),
        Arbitraries.longs().between(0, 300_000L))
        .as((startMs, latencyMs) -> new DrainSample(T0.plusMillis(startMs), T0.plusMillis(startMs + latencyMs),
            null, 5));
    return one.list().ofMaxSize(60).list().ofMinSize(1).ofMaxSize(20);
  }

  @Provide
  Arbitrary<SleepRecommendation.Tuning> tunings() {
    return Combinators.combine(Arbitraries.longs().between(0, 30), Arbitraries.longs().between(1, 60),
        Arbitraries.longs().between(0, 600), Arbitraries.integers().between(1, 20))
        .as((margin, min, extra, minSamples) -> new SleepRecommendation.Tuning(margin, min, min + extra, minSamples));
  }

  /** Reconciles at increasing times (gaps up to two windows), each with the next batch of samples. */
  private static List<DrainStatus> run(List<List<DrainSample>> batches, SleepRecommendation.Tuning tuning,
      long specSleep, long shutdown, OptionalLong graceCap, long[] gapsMinutes) {
    List<DrainStatus> history = new ArrayList<>();
    DrainStatus previous = null;
    Instant now = T0;
    for (int i = 0; i < batches.size(); i++) {
      now = now.plus(Duration.ofMinutes(gapsMinutes[i % gapsMinutes.length]));
      SleepRecommendation rec = SleepRecommendation.recommend(DrainStatistics.of(batches.get(i)), tuning, shutdown,
          graceCap);
      SleepAutoTuner.Tuned t = SleepAutoTuner.decide(true, previous, specSleep, rec, WINDOW, now);
      DrainStatus s = new DrainStatus();
      s.setTunedSleepSeconds(t.tunedSleepSeconds());
      s.setLastTunedTime(t.lastTunedTime());
      history.add(s);
      previous = s;
    }
    return history;
  }

  @Property
  void theTunedSleepStaysWithinMinAndMax(@ForAll("batches") List<List<DrainSample>> batches,
      @ForAll("tunings") SleepRecommendation.Tuning tuning, @ForAll @LongRange(min = 1, max = 3600) long specSleep,
      @ForAll @LongRange(min = 0, max = 120) long gap) {
    for (DrainStatus s : run(batches, tuning, specSleep, 10, OptionalLong.empty(), new long[] {gap, 61})) {
      if (s.getTunedSleepSeconds() != null) {
        assertThat(s.getTunedSleepSeconds()).isBetween(tuning.minSeconds(), tuning.maxSeconds());
      }
    }
  }

  @Property
  void theTunedSleepNeverBreaksR1AgainstAFixedGracePeriod(@ForAll("batches") List<List<DrainSample>> batches,
      @ForAll("tunings") SleepRecommendation.Tuning tuning, @ForAll @LongRange(min = 0, max = 60) long shutdown,
      @ForAll @LongRange(min = 1, max = 300) long grace, @ForAll @LongRange(min = 0, max = 120) long gap) {
    for (DrainStatus s : run(batches, tuning, 1, shutdown, OptionalLong.of(grace), new long[] {gap})) {
      if (s.getTunedSleepSeconds() != null) {
        assertThat(s.getTunedSleepSeconds()).isLessThan(grace);
        assertThat(s.getTunedSleepSeconds() + shutdown).isLessThanOrEqualTo(grace);
      }
    }
  }

  @Property
  void theSleepChangesAtMostOncePerWindow(@ForAll("batches") List<List<DrainSample>> batches,
      @ForAll("tunings") SleepRecommendation.Tuning tuning, @ForAll @LongRange(min = 1, max = 60) long specSleep,
      @ForAll @LongRange(min = 0, max = 40) long gap1, @ForAll @LongRange(min = 0, max = 90) long gap2) {
    List<DrainStatus> history = run(batches, tuning, specSleep, 0, OptionalLong.empty(), new long[] {gap1, gap2});
    Long before = null;
    Instant lastChange = null;
    for (DrainStatus s : history) {
      if (!java.util.Objects.equals(before, s.getTunedSleepSeconds())) {
        Instant at = Instant.parse(s.getLastTunedTime());
        if (lastChange != null) {
          assertThat(Duration.between(lastChange, at)).isGreaterThanOrEqualTo(WINDOW);
        }
        lastChange = at;
      } else if (s.getTunedSleepSeconds() != null) {
        assertThat(Instant.parse(s.getLastTunedTime())).isEqualTo(lastChange); // unchanged sleep: unchanged time
      }
      before = s.getTunedSleepSeconds();
    }
  }

  @Property
  void theOrderOfArrivalChangesNothing(@ForAll("batches") List<List<DrainSample>> batches,
      @ForAll("tunings") SleepRecommendation.Tuning tuning, @ForAll @LongRange(min = 1, max = 60) long specSleep,
      @ForAll long seed) {
    List<List<DrainSample>> shuffled = new ArrayList<>();
    Random random = new Random(seed);
    for (List<DrainSample> batch : batches) {
      List<DrainSample> copy = new ArrayList<>(batch);
      Collections.shuffle(copy, random);
      shuffled.add(copy);
    }
    long[] gaps = {30, 70};
    List<DrainStatus> a = run(batches, tuning, specSleep, 0, OptionalLong.empty(), gaps);
    List<DrainStatus> b = run(shuffled, tuning, specSleep, 0, OptionalLong.empty(), gaps);
    assertThat(b).isEqualTo(a);
  }

  @Property
  void nothingIsTunedBeforeMinSamples(@ForAll("batches") List<List<DrainSample>> batches,
      @ForAll @IntRange(min = 61, max = 100) int minSamples) {
    SleepRecommendation.Tuning tuning = new SleepRecommendation.Tuning(2, 1, 3600, minSamples);
    for (DrainStatus s : run(batches, tuning, 5, 0, OptionalLong.empty(), new long[] {120})) {
      assertThat(s.getTunedSleepSeconds()).isNull();
      assertThat(s.getLastTunedTime()).isNull();
    }
  }
}
