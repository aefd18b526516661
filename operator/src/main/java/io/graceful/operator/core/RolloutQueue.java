package io.graceful.operator.core;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * The fair order in which Deployments waiting for the rollout budget may start: oldest Deployment first across
 * namespaces, then namespace and name, so the order does not depend on event timing. Pure: the glue keeps the
 * waiting set and the in-flight counts and asks here whether one Deployment may start now.
 */
public final class RolloutQueue {
  /** A workload that wants to start a rollout. */
  public record Candidate(WorkloadRef ref, String creationTimestamp) {
    public String namespace() {
      return ref.namespace();
    }

    public String name() {
      return ref.name();
    }
  }

  /** Oldest first, then namespace and name; the kind last, so that the order of Deployments stays as it was. */
  public static final Comparator<Candidate> FAIR = Comparator
      .comparing((Candidate c) -> c.creationTimestamp() == null ? "~" : c.creationTimestamp())
      .thenComparing(Candidate::namespace).thenComparing(Candidate::name)
      .thenComparing(c -> c.ref().kind());

  private RolloutQueue() {
  }

  /**
   * Whether {@code candidate} may start now: walking the waiting Deployments in fair order and handing out the
   * free slots (global, and per namespace when capped), does it get one?
   *
   * @param waitingInOrder every waiting candidate (including {@code candidate}) in {@link #FAIR} order
   * @param maxTotal 0 means no global cap
   * @param maxPerNamespace 0 means no per-namespace cap
   */
  public static boolean mayStart(Candidate candidate, Iterable<Candidate> waitingInOrder, int inFlightTotal,
      Map<String, Integer> inFlightByNamespace, int maxTotal, int maxPerNamespace) {
    int free = maxTotal == 0 ? Integer.MAX_VALUE : maxTotal - inFlightTotal;
    Map<String, Integer> used = new HashMap<>(inFlightByNamespace);
    for (Candidate c : waitingInOrder) {
      if (free <= 0) {
        return false;
      }
      boolean namespaceFull = maxPerNamespace > 0 && used.getOrDefault(c.namespace(), 0) >= maxPerNamespace;
      if (c.ref().equals(candidate.ref())) {
        return !namespaceFull;
      }
      if (!namespaceFull) {
        free--;
        used.merge(c.namespace(), 1, Integer::sum);
      }
    }
    // not queued yet: it goes after everyone waiting
    return free > 0 && !(maxPerNamespace > 0 && used.getOrDefault(candidate.namespace(), 0) >= maxPerNamespace);
  }
}
