package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.graceful.operator.core.GracefulAnnotations;
import io.graceful.operator.core.PolicyRef;
import io.graceful.operator.core.RolloutHolds;
import io.graceful.operator.core.RolloutProgress;
import io.graceful.operator.core.RolloutQueue;
import io.graceful.operator.core.RolloutQueue.Candidate;
import io.graceful.operator.core.WorkloadPlan;
import io.graceful.operator.core.WorkloadRef;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Paces the operator's rollouts (never a rollout storm), derived from the cluster rather than from memory: a
 * Deployment's rollout counts while the Deployment is at the generation that the operator's last template write
 * produced (annotation {@link GracefulAnnotations#ROLLOUT}) and its status has not finished it. Two indexes on the
 * Deployment cache keep those in flight and those failed, so a restarted operator or a new leader counts its
 * predecessor's rollouts before it admits anything.
 *
 * <p>In memory only: reservations (a slot is taken before the write, so concurrent reconciliations see it, and kept
 * while the write is not yet visible in the cache; a write whose response was lost counts as landed until the
 * cache shows otherwise or {@link #RESERVATION_TIMEOUT} passes) and the waiting queue (rebuilt by reconciliation).
 * Waiting Deployments are woken when a slot frees ({@link #toWake}), not polled.
 *
 * <p>Circuit breaker, per policy: when {@code failureThreshold} of the Deployments a policy manages have a failed
 * operator rollout, that policy starts no new rollouts until a person fixes or rolls them back (or opts them out).
 */
public final class RolloutBudget {
  /** The answer to "may this plan be written now?". */
  public enum Admission { GO, WAIT, HALTED }

  /** A write that may have landed and is not visible in the cache yet. */
  private record Reservation(WorkloadRef workload, long generation, long deadline, long retryAfter) {}

  /**
   * After an ambiguous failure the Deployment's own retry waits this long for the cache to show whether the write
   * landed (then there is nothing to re-send), before it writes again in its slot.
   */
  static final Duration AMBIGUITY_WAIT = Duration.ofSeconds(5);

  static final Duration RESERVATION_TIMEOUT = Duration.ofSeconds(60);
  private static final String IN_FLIGHT = "graceful-rollout-in-flight";
  private static final String FAILED = "graceful-rollout-failed";
  private static final String ALL = "*";

  private final int maxTotal;
  private final int maxPerNamespace;
  private final int failureThreshold;
  private final LongSupplier nanoTime;
  private final Map<String, Reservation> reserved = new ConcurrentHashMap<>();
  private final ConcurrentSkipListSet<Candidate> waiting = new ConcurrentSkipListSet<>(RolloutQueue.FAIR);
  private volatile IndexerResourceCache<Deployment> cache;
  /**
   * Until every cached Deployment has been planned once after start-up, nothing is admitted: otherwise the first
   * reconciliations to run would take the slots, not the oldest waiting Deployments (README: oldest first).
   * Holds the uids planned so far; null once warmed up.
   */
  private volatile Set<String> warmUp = ConcurrentHashMap.newKeySet();
  private volatile long warmUpDeadline = Long.MIN_VALUE;
  /** How many Deployments the cache held when the warm-up began; -1 until then. */
  private volatile long warmUpTarget = -1;
  static final Duration WARM_UP_LIMIT = Duration.ofSeconds(30);

  public RolloutBudget(int maxTotal, int maxPerNamespace, int failureThreshold, LongSupplier nanoTime) {
    this.maxTotal = maxTotal;
    this.maxPerNamespace = maxPerNamespace;
    this.failureThreshold = failureThreshold;
    this.nanoTime = nanoTime;
  }

  /** Adds the budget's indexes to the Deployment cache; before the informer starts (prepareEventSources). */
  public void indexing(IndexerResourceCache<Deployment> deployments) {
    deployments.addIndexer(IN_FLIGHT, d -> RolloutProgress.operatorRolloutInFlight(d) ? List.of(ALL) : List.of());
    deployments.addIndexer(FAILED, d -> !RolloutProgress.operatorRolloutFailed(d) ? List.of()
        : appliedPolicy(d) == null ? List.of(ALL) : List.of(ALL, appliedPolicy(d).key()));
    this.cache = deployments;
  }

  /** Status updates of this Deployment matter: it carries an operator rollout, or a write of it is pending. */
  public boolean watches(Deployment d) {
    return RolloutProgress.operatorRollout(d).isPresent() || reserved.containsKey(uid(d));
  }

  /** Called on every reconciliation: a reservation ends once the cache shows the write. */
  public void observe(Deployment d) {
    Reservation r = reserved.get(uid(d));
    if (r != null && (generationOf(d) >= r.generation() || nanoTime.getAsLong() > r.deadline())) {
      reserved.remove(uid(d), r);
    }
  }

  /** The Deployment was planned (by its own reconciliation): counts towards the end of the start-up warm-up. */
  public void planned(Deployment d) {
    Set<String> w = warmUp;
    if (w == null) {
      return;
    }
    if (warmUpDeadline == Long.MIN_VALUE) {
      warmUpDeadline = nanoTime.getAsLong() + WARM_UP_LIMIT.toNanos();
    }
    w.add(uid(d));
    if (warmUpTarget < 0) {
      // counted once: a count per planned Deployment made start-up O(N^2) on a large cluster
      IndexerResourceCache<Deployment> c = cache;
      warmUpTarget = c == null ? 0 : c.list().count();
    }
    if (w.size() >= warmUpTarget || nanoTime.getAsLong() > warmUpDeadline) {
      warmUp = null;
    }
  }

  private boolean warmingUp() {
    return warmUp != null && (maxTotal > 0 || maxPerNamespace > 0);
  }

  /**
   * Decides whether the plan may be written now. A plan that changes no template, or a Deployment whose pods a
   * change would not restart, always goes.
   */
  public synchronized Admission admit(Deployment d, WorkloadPlan plan) {
    Candidate me = candidate(d);
    if (!RolloutProgress.changesTemplate(plan) || !RolloutProgress.restartsPods(d)) {
      waiting.remove(me);
      return Admission.GO;
    }
    PolicyRef policy = plan.governingPolicy() != null ? PolicyRef.namespaced(plan.namespace(), plan.governingPolicy())
        : appliedPolicy(d);
    if (policy != null && halted(policy)) {
      // held by the breaker, not waiting for a slot (re-checked on its own schedule)
      waiting.remove(me);
      return Admission.HALTED;
    }
    Reservation slot = new Reservation(plan.ref(), generationOf(d) + 1,
        nanoTime.getAsLong() + RESERVATION_TIMEOUT.toNanos(), Long.MIN_VALUE);
    Reservation own = reserved.get(uid(d));
    long now = nanoTime.getAsLong();
    if (own != null && now <= own.deadline()) {
      // it holds a slot from a write that may have landed: first the cache gets a moment to show it (then the plan
      // is empty and nothing is re-sent), then the retry uses that slot; it never queues behind others, who would
      // wait for this very slot
      waiting.remove(me);
      if (now < own.retryAfter()) {
        return Admission.WAIT;
      }
      // waited once: further failures of this reservation back off as usual (no fixed-interval retries in an outage)
      reserved.put(uid(d), new Reservation(own.workload(), Math.max(own.generation(), slot.generation()),
          own.deadline(), 0));
      return Admission.GO;
    }
    if (maxTotal == 0 && maxPerNamespace == 0) {
      reserved.put(uid(d), slot);
      return Admission.GO;
    }
    waiting.add(me);
    if (warmingUp()) {
      return Admission.WAIT;
    }
    // its own reservation (a retry after an ambiguous failure) does not stand in its way
    Map<String, Integer> byNamespace = inFlightByNamespace(uid(d));
    int total = byNamespace.values().stream().mapToInt(Integer::intValue).sum();
    if (RolloutQueue.mayStart(me, waiting, total, byNamespace, maxTotal, maxPerNamespace)) {
      waiting.remove(me);
      reserved.put(uid(d), slot);
      return Admission.GO;
    }
    return Admission.WAIT;
  }

  /**
   * The admitted write failed. Only a refusal that cannot have been applied frees the slot: not authorised (401,
   * 403), no such Deployment (404), or throttled before any handling (429). Anything else may have landed: a 5xx,
   * a timeout or a broken connection after commit, and also a 409 or 422 that answers the operator's own retry of a
   * write that landed unseen (planned from a cache that does not show it yet, its {@code test} operations fail).
   * The slot stays until the cache shows the write or {@link #RESERVATION_TIMEOUT} passes; the Deployment itself
   * keeps using it meanwhile (see {@link #admit}).
   */
  public void writeFailed(Deployment d, int httpCode) {
    boolean definite = httpCode == 401 || httpCode == 403 || httpCode == 404 || httpCode == 429;
    if (definite) {
      reserved.remove(uid(d));
      return;
    }
    reserved.computeIfPresent(uid(d), (k, r) -> r.retryAfter() != Long.MIN_VALUE ? r
        : new Reservation(r.workload(), r.generation(), r.deadline(),
            nanoTime.getAsLong() + AMBIGUITY_WAIT.toNanos()));
  }

  /** The Deployment no longer wants a rollout (compliant, opted out...): it leaves the queue. */
  public void notWaiting(Deployment d) {
    waiting.remove(candidate(d));
  }

  /**
   * Waiting Deployments that would be admitted now, in fair order (the same walk as {@link RolloutQueue#mayStart}):
   * the reconciler triggers them when a slot frees. Only admissible ones, so a woken Deployment does not wake
   * itself again in a loop.
   */
  public List<ResourceID> toWake() {
    if (waiting.isEmpty() || warmingUp()) {
      return List.of();
    }
    Map<String, Integer> used = inFlightByNamespace(null);
    int total = used.values().stream().mapToInt(Integer::intValue).sum();
    int free = maxTotal == 0 ? Integer.MAX_VALUE : maxTotal - total;
    List<ResourceID> out = new ArrayList<>();
    for (Candidate c : waiting) {
      if (free <= 0) {
        break;
      }
      if (maxPerNamespace > 0 && used.getOrDefault(c.namespace(), 0) >= maxPerNamespace) {
        continue;
      }
      out.add(new ResourceID(c.name(), c.namespace()));
      used.merge(c.namespace(), 1, Integer::sum);
      free--;
    }
    return out;
  }

  /**
   * The Deployment wants a rollout but may not be admitted yet (its namespace's policies are settling): it joins
   * the queue now, so that when the hold ends the slots go in fair order, not to whichever reconciles first.
   */
  public void wants(Deployment d, WorkloadPlan plan) {
    if (RolloutProgress.changesTemplate(plan) && RolloutProgress.restartsPods(d)) {
      waiting.add(candidate(d));
    }
  }

  public boolean halted(String namespace, String policy) {
    return halted(PolicyRef.namespaced(namespace, policy));
  }

  private boolean halted(PolicyRef policy) {
    return failureThreshold > 0 && failedNames(policy).size() >= failureThreshold;
  }

  public RolloutHolds holdsFor(String namespace, String policy) {
    Set<String> waitingHere = waiting.stream().filter(c -> c.namespace().equals(namespace))
        .map(Candidate::name).collect(Collectors.toSet());
    List<String> failedHere = failedNames(PolicyRef.namespaced(namespace, policy));
    return new RolloutHolds(waitingHere, failedHere, failureThreshold > 0 && failedHere.size() >= failureThreshold);
  }

  public int inFlightCount() {
    return inFlightByNamespace(null).values().stream().mapToInt(Integer::intValue).sum();
  }

  public int waitingCount() {
    return waiting.size();
  }

  public int failedCount() {
    IndexerResourceCache<Deployment> c = cache;
    return c == null ? 0 : c.byIndex(FAILED, ALL).size();
  }

  /** Operator rollouts in flight per namespace: the cache's, plus reservations the cache does not show yet. */
  private Map<String, Integer> inFlightByNamespace(String exceptReservationOf) {
    Map<String, Integer> out = new HashMap<>();
    IndexerResourceCache<Deployment> c = cache;
    if (c != null) {
      c.byIndex(IN_FLIGHT, ALL).forEach(d -> out.merge(d.getMetadata().getNamespace(), 1, Integer::sum));
    }
    long now = nanoTime.getAsLong();
    reserved.entrySet().removeIf(e -> now > e.getValue().deadline());
    for (Map.Entry<String, Reservation> e : reserved.entrySet()) {
      if (e.getKey().equals(exceptReservationOf)) {
        continue;
      }
      Reservation r = e.getValue();
      Optional<Deployment> seen = c == null ? Optional.empty()
          : c.get(new ResourceID(r.workload().name(), r.workload().namespace()));
      if (c != null && seen.isEmpty()) {
        continue; // deleted: no rollout
      }
      if (seen.isEmpty() || generationOf(seen.get()) < r.generation()) {
        out.merge(r.workload().namespace(), 1, Integer::sum);
      }
    }
    return out;
  }

  private List<String> failedNames(PolicyRef policy) {
    IndexerResourceCache<Deployment> c = cache;
    return c == null ? List.of() : c.byIndex(FAILED, policy.key()).stream()
        .map(d -> d.getMetadata().getName()).sorted().toList();
  }

  private static String uid(Deployment d) {
    return d.getMetadata().getUid();
  }

  private static long generationOf(Deployment d) {
    return d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
  }

  private static Candidate candidate(Deployment d) {
    return new Candidate(WorkloadRef.deployment(d.getMetadata().getNamespace(), d.getMetadata().getName()),
        d.getMetadata().getCreationTimestamp());
  }

  /** The policy whose change the Deployment carries ({@code graceful.io/applied-policy}), or null. */
  private static PolicyRef appliedPolicy(Deployment d) {
    Map<String, String> a = d.getMetadata().getAnnotations();
    return a == null ? null
        : PolicyRef.parse(a.get(GracefulAnnotations.APPLIED_POLICY), d.getMetadata().getNamespace());
  }
}
