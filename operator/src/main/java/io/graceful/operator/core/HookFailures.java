package io.graceful.operator.core;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The kubelet's {@code FailedPreStopHook} Events per governed workload. An exec hook that cannot run (no
 * {@code sleep} binary in a distroless image) fails at once and the kubelet sends SIGTERM without any delay: the
 * protection silently disappears. The kubelet aggregates repeats into one Event whose {@code count} grows, so the
 * tracker keeps the last count of each Event and sums them per workload over the window. Not thread-safe.
 */
public final class HookFailures {
  private record Seen(WorkloadRef workload, int count, Instant last) {}

  private final Map<String, Seen> byEvent = new HashMap<>();

  /**
   * @param eventKey the Event's namespace/name (or uid)
   * @param count the Event's {@code count} (1 when absent)
   * @return whether this observation adds failures (a new Event, or a higher count): the moment to tell people
   */
  public boolean observe(String eventKey, WorkloadRef workload, int count, Instant last) {
    Seen before = byEvent.get(eventKey);
    int seen = Math.max(1, count);
    if (before != null && before.count() >= seen) {
      return false;
    }
    byEvent.put(eventKey, new Seen(workload, seen, last));
    return true;
  }

  /** Failures per workload whose Event was last seen within the window, in a stable order. */
  public Map<WorkloadRef, Integer> counts(Instant now, Duration window) {
    Instant from = now.minus(window);
    Map<WorkloadRef, Integer> out = new TreeMap<>(java.util.Comparator.comparing(WorkloadRef::key));
    byEvent.values().stream().filter(s -> !s.last().isBefore(from))
        .forEach(s -> out.merge(s.workload(), s.count(), Integer::sum));
    return out;
  }

  /** Forgets Events last seen before the window; returns whether any was forgotten. */
  public boolean expire(Instant now, Duration window) {
    Instant from = now.minus(window);
    return byEvent.values().removeIf(s -> s.last().isBefore(from));
  }

  /** The remedy, in the words of the status and the Event. */
  public static String message(WorkloadRef workload, int failures) {
    return failures + " FailedPreStopHook events for the pods of " + workload + ": the kubelet could not run the "
        + "preStop hook (an exec sleep needs a sleep binary in the image) and sent SIGTERM at once, so the sleep "
        + "protected nothing. Remedy: preStop action Sleep (the kubelet's native sleep, Kubernetes >= 1.30; "
        + "graceful.io/action: Sleep on the workload or spec.preStop.action: Sleep), or an image with a shell and "
        + "sleep";
  }
}
