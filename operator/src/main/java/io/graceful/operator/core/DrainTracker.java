package io.graceful.operator.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Follows terminating pods through the EndpointSlices that route to them and turns each one into a
 * {@link DrainSample} when the last slice lets it go. Pure state machine: the glue feeds it what the pod and
 * EndpointSlice informers see, with the time it saw it, and records the samples it returns. Not thread-safe (the
 * glue serialises calls).
 *
 * <p>A slice routes to a pod while it lists an endpoint whose {@code targetRef} is the pod and whose condition
 * {@code ready} is not false (the API says a missing {@code ready} means ready). {@code ready} is the routing signal:
 * the EndpointSlice controller sets it false as soon as the pod terminates ({@code serving} stays true while the
 * container still passes its readiness probe, for proxies that fall back to terminating endpoints).
 *
 * <p>The two informers deliver independently, so a slice may let go of a pod before the pod's own update arrives.
 * The tracker remembers, for a short while ({@code releaseMemory}), when each pod left its last slice, and measures a
 * pod whose termination is reported after that with the remembered moment. A pod no slice ever routed to gives no
 * sample (nothing to drain). A pod that is still routed when it disappears gives an unsafe sample without a
 * {@code leftRouting}. A pod that stays terminating and routed longer than {@code patience} is forgotten without a
 * sample (a stuck finalizer says nothing about routing), so memory stays bounded.
 */
public final class DrainTracker {
  /** A sample and the workload whose pod it measured (the glue attributes it to the governing policy). */
  public record Measured(WorkloadRef workload, String podUid, DrainSample sample) {}

  private record Terminating(WorkloadRef workload, Instant start, long hookSeconds) {}

  private final Duration patience;
  private final Duration releaseMemory;
  /** Slice key -> uids of the pods it routes to now. */
  private final Map<String, Set<String>> routedBySlice = new HashMap<>();
  /** Pod uid -> the slices routing to it now (the inverse of {@link #routedBySlice}). */
  private final Map<String, Set<String>> slicesByPod = new HashMap<>();
  /** Pod uid -> when it left its last slice, for termination reports arriving after the slice change. */
  private final Map<String, Instant> released = new HashMap<>();
  private final Map<String, Terminating> terminating = new HashMap<>();

  /**
   * @param patience how long after its termination start a still-routed pod is followed before it is forgotten
   * @param releaseMemory how long the moment a pod left routing is remembered for its termination report
   */
  public DrainTracker(Duration patience, Duration releaseMemory) {
    this.patience = Objects.requireNonNull(patience);
    this.releaseMemory = Objects.requireNonNull(releaseMemory);
  }

  /**
   * A pod of a governed workload is terminating. Reported again on every later update of the pod: the first start
   * counts ({@link TerminationStart}).
   *
   * @param hookSeconds the preStop sleep the pod runs (0 without one): routing must let go before it ends
   */
  public List<Measured> podTerminating(String podUid, WorkloadRef workload, Instant start, long hookSeconds,
      Instant now) {
    if (terminating.containsKey(podUid)) {
      return List.of();
    }
    if (slicesByPod.containsKey(podUid)) {
      terminating.put(podUid, new Terminating(workload, start, hookSeconds));
      return List.of();
    }
    Instant left = released.remove(podUid);
    if (left == null) {
      return List.of(); // no slice routes to it: nothing to drain
    }
    return List.of(new Measured(workload, podUid, new DrainSample(start, left, null, hookSeconds)));
  }

  /** A slice was added or changed: the pods it routes to now. */
  public List<Measured> sliceChanged(String sliceKey, Set<String> routedPodUids, Instant now) {
    Set<String> before = routedBySlice.getOrDefault(sliceKey, Set.of());
    Set<String> after = Set.copyOf(routedPodUids);
    if (after.isEmpty()) {
      routedBySlice.remove(sliceKey);
    } else {
      routedBySlice.put(sliceKey, after);
    }
    for (String uid : after) {
      if (!before.contains(uid)) {
        slicesByPod.computeIfAbsent(uid, u -> new HashSet<>()).add(sliceKey);
        released.remove(uid);
      }
    }
    List<Measured> out = new ArrayList<>();
    for (String uid : before) {
      if (after.contains(uid)) {
        continue;
      }
      Set<String> slices = slicesByPod.get(uid);
      if (slices == null) {
        continue;
      }
      slices.remove(sliceKey);
      if (!slices.isEmpty()) {
        continue;
      }
      slicesByPod.remove(uid);
      Terminating t = terminating.remove(uid);
      if (t == null) {
        released.put(uid, now);
      } else {
        out.add(new Measured(t.workload(), uid, new DrainSample(t.start(), now, null, t.hookSeconds())));
      }
    }
    return out;
  }

  /** A slice was deleted: it routes to nothing any more. */
  public List<Measured> sliceDeleted(String sliceKey, Instant now) {
    return sliceChanged(sliceKey, Set.of(), now);
  }

  /**
   * The pod object is gone. Still routed: SIGTERM (and the end of the process) came while a slice routed to it, an
   * unsafe sample measured until now.
   */
  public List<Measured> podGone(String podUid, Instant now) {
    released.remove(podUid);
    Terminating t = terminating.remove(podUid);
    if (t == null) {
      return List.of();
    }
    return List.of(new Measured(t.workload(), podUid, new DrainSample(t.start(), null, now, t.hookSeconds())));
  }

  /** Forgets terminating pods older than the patience and release moments older than the memory. */
  public void expire(Instant now) {
    Instant oldestStart = now.minus(patience);
    terminating.values().removeIf(t -> t.start().isBefore(oldestStart));
    Instant oldestRelease = now.minus(releaseMemory);
    for (Iterator<Instant> it = released.values().iterator(); it.hasNext(); ) {
      if (it.next().isBefore(oldestRelease)) {
        it.remove();
      }
    }
  }

  /** Whether this terminating pod is followed already (later updates of it need no second look). */
  public boolean follows(String podUid) {
    return terminating.containsKey(podUid);
  }

  /** Terminating pods being followed (for the tests and the benchmark). */
  public int followed() {
    return terminating.size();
  }

  /** Release moments remembered (for the tests and the benchmark). */
  public int remembered() {
    return released.size();
  }
}
