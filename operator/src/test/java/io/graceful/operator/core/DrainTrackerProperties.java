package io.graceful.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * The drain tracker measures a terminating pod once, when the last EndpointSlice routing to it lets it go, whatever
 * the order the pod and slice informers deliver in; unrouted pods give nothing, stuck pods are forgotten.
 */
class DrainTrackerProperties {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");
  private static final Duration PATIENCE = Duration.ofMinutes(30);
  private static final Duration MEMORY = Duration.ofSeconds(60);

  private static DrainTracker tracker() {
    return new DrainTracker(PATIENCE, MEMORY);
  }

  /** Every slice routes to the pod and a few others; the pod leaves each slice at its own moment. */
  @Property
  void aPodOfSeveralServicesIsMeasuredOnceWhenTheLastSliceLetsGo(@ForAll @IntRange(min = 1, max = 6) int slices,
      @ForAll long seed, @ForAll @LongRange(min = 0, max = 20_000) long hookMs,
      @ForAll @IntRange(min = 0, max = 5) int others) {
    Random random = new Random(seed);
    DrainTracker t = tracker();
    Set<String> routed = new HashSet<>();
    routed.add("pod");
    for (int i = 0; i < others; i++) {
      routed.add("other-" + i);
    }
    for (int s = 0; s < slices; s++) {
      t.sliceChanged("slice-" + s, routed, T0.minusSeconds(60));
    }
    List<Long> releaseMs = new ArrayList<>();
    for (int s = 0; s < slices; s++) {
      releaseMs.add((long) random.nextInt(30_000));
    }
    Collections.sort(releaseMs);
    List<Integer> order = new ArrayList<>();
    for (int s = 0; s < slices; s++) {
      order.add(s);
    }
    Collections.shuffle(order, random);
    long hookSeconds = hookMs / 1000;
    assertThat(t.podTerminating("pod", WEB, T0, hookSeconds, T0)).isEmpty();
    List<DrainTracker.Measured> out = new ArrayList<>();
    Set<String> without = new HashSet<>(routed);
    without.remove("pod");
    for (int i = 0; i < slices; i++) {
      out.addAll(t.sliceChanged("slice-" + order.get(i), without, T0.plusMillis(releaseMs.get(i))));
    }
    assertThat(out).hasSize(1);
    DrainSample sample = out.get(0).sample();
    Instant last = T0.plusMillis(releaseMs.get(slices - 1));
    assertThat(sample.leftRouting()).isEqualTo(last);
    assertThat(sample.latencySeconds()).isEqualTo(releaseMs.get(slices - 1) / 1000.0);
    assertThat(sample.unsafe()).isEqualTo(last.isAfter(T0.plusSeconds(hookSeconds)));
    assertThat(out.get(0).workload()).isEqualTo(WEB);
    assertThat(t.followed()).isZero();
    // later events about the same pod change nothing
    assertThat(t.podGone("pod", T0.plusSeconds(40))).isEmpty();
    assertThat(t.podTerminating("pod", WEB, T0, hookSeconds, T0.plusSeconds(41))).isEmpty();
  }

  /**
   * Whether the pod informer reports the termination before, between or after the slice changes, one sample comes
   * out, and it ends when the last slice let go.
   */
  @Property
  void theOrderOfPodAndSliceEventsDoesNotDecideWhetherAPodIsMeasured(
      @ForAll @IntRange(min = 1, max = 4) int slices, @ForAll @IntRange(min = 0, max = 4) int podReportAfter,
      @ForAll @LongRange(min = 0, max = 5_000) long stepMs) {
    DrainTracker t = tracker();
    for (int s = 0; s < slices; s++) {
      t.sliceChanged("slice-" + s, Set.of("pod"), T0.minusSeconds(5));
    }
    int reportAt = Math.min(podReportAfter, slices);
    List<DrainTracker.Measured> out = new ArrayList<>();
    Instant now = T0;
    for (int s = 0; s <= slices; s++) {
      if (s == reportAt) {
        out.addAll(t.podTerminating("pod", WEB, T0, 5, now));
      }
      if (s < slices) {
        now = now.plusMillis(stepMs);
        out.addAll(t.sliceChanged("slice-" + s, Set.of(), now));
      }
    }
    assertThat(out).hasSize(1);
    assertThat(out.get(0).sample().leftRouting()).isEqualTo(T0.plusMillis(stepMs * slices));
    assertThat(out.get(0).sample().terminationStart()).isEqualTo(T0);
    assertThat(t.followed()).isZero();
    assertThat(t.remembered()).isZero();
  }

  @Property
  void aPodNeverLetGoIsForgottenWithoutASample(@ForAll @IntRange(min = 1, max = 4) int slices,
      @ForAll @LongRange(min = 0, max = 3_600) long laterSeconds) {
    DrainTracker t = tracker();
    for (int s = 0; s < slices; s++) {
      t.sliceChanged("slice-" + s, Set.of("pod", "other"), T0.minusSeconds(5));
    }
    t.podTerminating("pod", WEB, T0, 5, T0);
    Instant now = T0.plus(PATIENCE).plusSeconds(1 + laterSeconds);
    t.expire(now);
    assertThat(t.followed()).isZero();
    List<DrainTracker.Measured> out = new ArrayList<>();
    for (int s = 0; s < slices; s++) {
      out.addAll(t.sliceChanged("slice-" + s, Set.of("other"), now));
    }
    out.addAll(t.podGone("pod", now));
    assertThat(out).isEmpty();
  }

  @Property
  void aPodNoSliceRoutesToGivesNoSample(@ForAll @LongRange(min = 0, max = 600) long goneAfter) {
    DrainTracker t = tracker();
    t.sliceChanged("slice", Set.of("other"), T0.minusSeconds(5));
    assertThat(t.podTerminating("pod", WEB, T0, 5, T0)).isEmpty();
    assertThat(t.podGone("pod", T0.plusSeconds(goneAfter))).isEmpty();
    assertThat(t.followed()).isZero();
  }

  @Property
  void aReleaseRememberedTooLongAgoIsNotAMeasurement(@ForAll @LongRange(min = 61, max = 3_600) long late) {
    DrainTracker t = tracker();
    t.sliceChanged("slice", Set.of("pod"), T0.minusSeconds(5));
    t.sliceChanged("slice", Set.of(), T0); // not ready: the readiness probe failed, long before the delete
    t.expire(T0.plusSeconds(late));
    assertThat(t.podTerminating("pod", WEB, T0.plusSeconds(late), 5, T0.plusSeconds(late))).isEmpty();
    assertThat(t.remembered()).isZero();
  }

  @Example
  void aPodStillRoutedWhenItIsGoneIsAnUnsafeSample() {
    DrainTracker t = tracker();
    t.sliceChanged("slice", Set.of("pod"), T0.minusSeconds(5));
    t.podTerminating("pod", WEB, T0, 5, T0);
    List<DrainTracker.Measured> out = t.podGone("pod", T0.plusSeconds(8));
    assertThat(out).hasSize(1);
    assertThat(out.get(0).sample().unsafe()).isTrue();
    assertThat(out.get(0).sample().latencySeconds()).isEqualTo(8.0);
    assertThat(t.sliceDeleted("slice", T0.plusSeconds(9))).isEmpty();
  }

  @Example
  void aDeletedSliceLetsGoOfItsPods() {
    DrainTracker t = tracker();
    t.sliceChanged("a", Set.of("pod"), T0.minusSeconds(5));
    t.sliceChanged("b", Set.of("pod"), T0.minusSeconds(5));
    t.podTerminating("pod", WEB, T0, 2, T0);
    assertThat(t.sliceDeleted("a", T0.plusSeconds(1))).isEmpty();
    List<DrainTracker.Measured> out = t.sliceDeleted("b", T0.plusSeconds(3));
    assertThat(out).extracting(m -> m.sample().latencySeconds()).containsExactly(3.0);
    assertThat(out.get(0).sample().unsafe()).isTrue();
  }

  @Example
  void theFirstTerminationStartCounts() {
    DrainTracker t = tracker();
    t.sliceChanged("slice", Set.of("pod"), T0.minusSeconds(5));
    t.podTerminating("pod", WEB, T0, 5, T0);
    // the kubelet's final delete (grace 0) moves deletionTimestamp to now: a later start is reported
    t.podTerminating("pod", WEB, T0.plusSeconds(20), 5, T0.plusSeconds(20));
    assertThat(t.sliceChanged("slice", Set.of(), T0.plusSeconds(21)))
        .extracting(m -> m.sample().latencySeconds()).containsExactly(21.0);
  }

  @Example
  void theStartIsTheDeletionTimestampMinusTheGracePeriod() {
    Instant deletion = T0.plusSeconds(30);
    assertThat(TerminationStart.of(deletion, 30L)).isEqualTo(Optional.of(T0));
    assertThat(TerminationStart.of(deletion, null)).isEqualTo(Optional.of(deletion));
    assertThat(TerminationStart.of(null, 30L)).isEmpty();
  }
}
