package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.graceful.operator.core.GracefulAnnotations;
import io.graceful.operator.core.PolicyRef;
import io.graceful.operator.core.RolloutHolds;
import io.graceful.operator.core.RolloutProgress;
import io.graceful.operator.core.RolloutQueue;
import io.graceful.operator.core.RolloutQueue.Candidate;
import io.graceful.operator.core.Workload;
import io.graceful.operator.core.WorkloadKind;
import io.graceful.operator.core.WorkloadPlan;
import io.graceful.operator.core.WorkloadRef;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Paces the operator's rollouts (never a rollout storm), across every workload kind, derived from the cluster rather
 * than from memory: a workload's rollout counts while the workload is at the generation that the operator's last template write
 * produced (annotation {@link GracefulAnnotations#ROLLOUT}) and its status has not finished it. Two indexes on
 * each kind's cache keep those in flight and those failed, so a restarted operator or a new leader counts its
 * predecessor's rollouts before it admits anything. Workloads are told apart by {@link WorkloadRef} (a StatefulSet
 * and a Deployment of the same name are two workloads) and by uid; an OnDelete StatefulSet or DaemonSet never
 * takes a slot (a template change restarts nothing). Only Deployments can fail (their progress deadline).
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
  /** One cache per served kind, with the view that reads it. */
  private final Map<WorkloadKind, Indexed<?>> caches = new ConcurrentHashMap<>();
  /**
   * Workloads seen in flight (in the index, or whose reservation the cache has just caught up with), each re-checked
   * on its current cached object whenever the index does not list it. fabric8 updates an index in two steps (the
   * old object's entry is removed, then the new object's added) and reads it without the cache's lock: a read in
   * between misses a workload that is in flight before and after the change. A status update of the only rollout
   * in flight made it look over, and the next workload started (LostResponseIT under load).
   */
  private final Set<WorkloadRef> seenInFlight = ConcurrentHashMap.newKeySet();
  /** The kinds whose caches must be indexed before the warm-up can count its target. */
  private final Set<WorkloadKind> expected;
  /**
   * Until every cached workload has been planned once after start-up, nothing is admitted: otherwise the first
   * reconciliations to run would take the slots, not the oldest waiting workloads (README: oldest first).
   * Holds the uids planned so far; null once warmed up.
   */
  private volatile Set<String> warmUp = ConcurrentHashMap.newKeySet();
  private volatile long warmUpDeadline = Long.MIN_VALUE;
  /** How many workloads the caches held when the warm-up began; -1 until then. */
  private volatile long warmUpTarget = -1;
  static final Duration WARM_UP_LIMIT = Duration.ofSeconds(30);

  /** A kind's cache and how to read its objects. */
  private record Indexed<T extends HasMetadata>(IndexerResourceCache<T> cache, KindSupport<T> support) {
    List<T> byIndex(String index, String key) {
      return cache.byIndex(index, key);
    }

    Optional<T> get(WorkloadRef ref) {
      return cache.get(new ResourceID(ref.name(), ref.namespace()));
    }

    /** Whether the cached object of {@code ref} carries an operator rollout under way (what the index says of it). */
    boolean inFlightNow(WorkloadRef ref) {
      return get(ref).map(r -> RolloutProgress.operatorRolloutInFlight(support.view().apply(r))).orElse(false);
    }

    long size() {
      return cache.list().count();
    }
  }

  /** Budget for Deployments only. */
  public RolloutBudget(int maxTotal, int maxPerNamespace, int failureThreshold, LongSupplier nanoTime) {
    this(maxTotal, maxPerNamespace, failureThreshold, nanoTime, Set.of(WorkloadKind.Deployment));
  }

  /** @param kinds the kinds whose caches {@link #indexing} will be given */
  public RolloutBudget(int maxTotal, int maxPerNamespace, int failureThreshold, LongSupplier nanoTime,
      Set<WorkloadKind> kinds) {
    this.maxTotal = maxTotal;
    this.maxPerNamespace = maxPerNamespace;
    this.failureThreshold = failureThreshold;
    this.nanoTime = nanoTime;
    this.expected = Set.copyOf(kinds);
  }

  /** Adds the budget's indexes to a kind's cache; before its informer starts (prepareEventSources). */
  public <T extends HasMetadata> void indexing(KindSupport<T> support, IndexerResourceCache<T> cache) {
    cache.addIndexer(IN_FLIGHT, r -> RolloutProgress.operatorRolloutInFlight(support.view().apply(r))
        ? List.of(ALL) : List.of());
    cache.addIndexer(FAILED, r -> {
      Workload w = support.view().apply(r);
      if (!RolloutProgress.operatorRolloutFailed(w)) {
        return List.of();
      }
      PolicyRef applied = appliedPolicy(w);
      return applied == null ? List.of(ALL) : List.of(ALL, applied.key());
    });
    caches.put(support.kind(), new Indexed<>(cache, support));
  }

  /**
   * The kind's controller stopped (the Argo Rollouts CRD was deleted): its cache no longer counts rollouts in
   * flight or failed, and its waiting workloads leave the queue (they no longer exist as far as the API goes).
   */
  public synchronized void forget(WorkloadKind kind) {
    caches.remove(kind);
    waiting.removeIf(c -> c.ref().kind() == kind);
    reserved.values().removeIf(r -> r.workload().kind() == kind);
    seenInFlight.removeIf(r -> r.kind() == kind);
  }

  /** Status updates of this workload matter: it carries an operator rollout, or a write of it is pending. */
  public boolean watches(HasMetadata r, Workload w) {
    return RolloutProgress.operatorRollout(w).isPresent() || reserved.containsKey(uid(r));
  }

  /** Called on every reconciliation: a reservation ends once the cache shows the write. */
  public void observe(HasMetadata r, Workload w) {
    Reservation res = reserved.get(uid(r));
    if (res != null && (w.generation() >= res.generation() || nanoTime.getAsLong() > res.deadline())) {
      if (reserved.remove(uid(r), res) && w.generation() >= res.generation()
          && (maxTotal > 0 || maxPerNamespace > 0)) {
        // from now on the index counts it; meanwhile (and in the index's gaps) its cached object does
        seenInFlight.add(res.workload());
      }
    }
  }

  /** The workload was planned (by its own reconciliation): counts towards the end of the start-up warm-up. */
  public void planned(HasMetadata r) {
    Set<String> w = warmUp;
    if (w == null) {
      return;
    }
    if (warmUpDeadline == Long.MIN_VALUE) {
      warmUpDeadline = nanoTime.getAsLong() + WARM_UP_LIMIT.toNanos();
    }
    w.add(uid(r));
    if (warmUpTarget < 0 && caches.keySet().containsAll(expected)) {
      // counted once: a count per planned workload made start-up O(N^2) on a large cluster
      warmUpTarget = caches.values().stream().mapToLong(Indexed::size).sum();
    }
    if (warmUpTarget >= 0 && w.size() >= warmUpTarget || nanoTime.getAsLong() > warmUpDeadline) {
      warmUp = null;
    }
  }

  private boolean warmingUp() {
    return warmUp != null && (maxTotal > 0 || maxPerNamespace > 0);
  }

  /**
   * Decides whether the plan may be written now. A plan that changes no template, or a workload whose pods a
   * change would not restart (scaled to zero, brand new, updateStrategy OnDelete), always goes.
   */
  public synchronized Admission admit(HasMetadata r, Workload w, WorkloadPlan plan) {
    Candidate me = candidate(r, w);
    if (!RolloutProgress.changesTemplate(plan) || !w.restartsPods()) {
      waiting.remove(me);
      return Admission.GO;
    }
    // the plan names its policy as the annotations do: a name of the namespace, or cluster/<name>
    PolicyRef policy = plan.governingPolicy() != null ? PolicyRef.parse(plan.governingPolicy(), plan.namespace())
        : appliedPolicy(w);
    if (policy != null && halted(policy)) {
      // held by the breaker, not waiting for a slot (re-checked on its own schedule)
      waiting.remove(me);
      return Admission.HALTED;
    }
    Reservation slot = new Reservation(plan.ref(), w.generation() + 1,
        nanoTime.getAsLong() + RESERVATION_TIMEOUT.toNanos(), Long.MIN_VALUE);
    Reservation own = reserved.get(uid(r));
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
      reserved.put(uid(r), new Reservation(own.workload(), Math.max(own.generation(), slot.generation()),
          own.deadline(), 0));
      return Admission.GO;
    }
    if (maxTotal == 0 && maxPerNamespace == 0) {
      reserved.put(uid(r), slot);
      return Admission.GO;
    }
    waiting.add(me);
    if (warmingUp()) {
      return Admission.WAIT;
    }
    // its own reservation (a retry after an ambiguous failure) does not stand in its way
    Map<String, Integer> byNamespace = inFlightByNamespace(uid(r));
    int total = byNamespace.values().stream().mapToInt(Integer::intValue).sum();
    if (RolloutQueue.mayStart(me, waiting, total, byNamespace, maxTotal, maxPerNamespace)) {
      waiting.remove(me);
      reserved.put(uid(r), slot);
      return Admission.GO;
    }
    return Admission.WAIT;
  }

  /**
   * The admitted write failed. Only a refusal that cannot have been applied frees the slot: not authorised (401,
   * 403), no such workload (404), or throttled before any handling (429). Anything else may have landed: a 5xx,
   * a timeout or a broken connection after commit, and also a 409 or 422 that answers the operator's own retry of a
   * write that landed unseen (planned from a cache that does not show it yet, its {@code test} operations fail).
   * The slot stays until the cache shows the write or {@link #RESERVATION_TIMEOUT} passes; the workload itself
   * keeps using it meanwhile (see {@link #admit}).
   */
  public void writeFailed(HasMetadata r, int httpCode) {
    boolean definite = httpCode == 401 || httpCode == 403 || httpCode == 404 || httpCode == 429;
    if (definite) {
      reserved.remove(uid(r));
      return;
    }
    reserved.computeIfPresent(uid(r), (k, res) -> res.retryAfter() != Long.MIN_VALUE ? res
        : new Reservation(res.workload(), res.generation(), res.deadline(),
            nanoTime.getAsLong() + AMBIGUITY_WAIT.toNanos()));
  }

  /** The workload no longer wants a rollout (compliant, opted out...): it leaves the queue. */
  public void notWaiting(HasMetadata r, Workload w) {
    waiting.remove(candidate(r, w));
  }

  /**
   * Waiting workloads that would be admitted now, in fair order (the same walk as {@link RolloutQueue#mayStart}):
   * the reconcilers trigger them when a slot frees, whatever their kind. Only admissible ones, so a woken workload
   * does not wake itself again in a loop.
   */
  public List<WorkloadRef> toWake() {
    if (waiting.isEmpty() || warmingUp()) {
      return List.of();
    }
    Map<String, Integer> used = inFlightByNamespace(null);
    int total = used.values().stream().mapToInt(Integer::intValue).sum();
    int free = maxTotal == 0 ? Integer.MAX_VALUE : maxTotal - total;
    List<WorkloadRef> out = new ArrayList<>();
    for (Candidate c : waiting) {
      if (free <= 0) {
        break;
      }
      if (maxPerNamespace > 0 && used.getOrDefault(c.namespace(), 0) >= maxPerNamespace) {
        continue;
      }
      out.add(c.ref());
      used.merge(c.namespace(), 1, Integer::sum);
      free--;
    }
    return out;
  }

  /**
   * The workload wants a rollout but may not be admitted yet (its namespace's policies are settling): it joins
   * the queue now, so that when the hold ends the slots go in fair order, not to whichever reconciles first.
   */
  public void wants(HasMetadata r, Workload w, WorkloadPlan plan) {
    if (RolloutProgress.changesTemplate(plan) && w.restartsPods()) {
      waiting.add(candidate(r, w));
    }
  }

  public boolean halted(String namespace, String policy) {
    return halted(PolicyRef.namespaced(namespace, policy));
  }

  private boolean halted(PolicyRef policy) {
    return failureThreshold > 0 && failedNames(policy).size() >= failureThreshold;
  }

  public RolloutHolds holdsFor(String namespace, String policy) {
    return holdsFor(PolicyRef.namespaced(namespace, policy));
  }

  /**
   * What the budget holds back for {@code policy}: the waiting workloads of its namespace (every namespace for a
   * cluster policy, whose failed workloads are named {@code namespace/name}) and its failed rollouts.
   */
  public RolloutHolds holdsFor(PolicyRef policy) {
    Set<WorkloadRef> waitingHere = waiting.stream()
        .filter(c -> policy.isCluster() || c.namespace().equals(policy.namespace()))
        .map(Candidate::ref).collect(Collectors.toSet());
    List<String> failedHere = failedNames(policy);
    return new RolloutHolds(waitingHere, failedHere, failureThreshold > 0 && failedHere.size() >= failureThreshold);
  }

  public int inFlightCount() {
    return inFlight(null).size();
  }

  /** Operator rollouts under way of one kind (graceful_rollouts_in_flight{kind}). */
  public int inFlightCount(WorkloadKind kind) {
    return (int) inFlight(null).stream().filter(w -> w.kind() == kind).count();
  }

  public int waitingCount() {
    return waiting.size();
  }

  public int waitingCount(WorkloadKind kind) {
    return (int) waiting.stream().filter(c -> c.ref().kind() == kind).count();
  }

  public int failedCount() {
    return caches.values().stream().mapToInt(c -> c.byIndex(FAILED, ALL).size()).sum();
  }

  public int failedCount(WorkloadKind kind) {
    Indexed<?> c = caches.get(kind);
    return c == null ? 0 : c.byIndex(FAILED, ALL).size();
  }

  /** Operator rollouts in flight per namespace: the caches', plus reservations the caches do not show yet. */
  private Map<String, Integer> inFlightByNamespace(String exceptReservationOf) {
    Map<String, Integer> out = new HashMap<>();
    inFlight(exceptReservationOf).forEach(w -> out.merge(w.namespace(), 1, Integer::sum));
    return out;
  }

  /** Operator rollouts in flight: the caches', plus reservations the caches do not show yet. */
  private List<WorkloadRef> inFlight(String exceptReservationOf) {
    List<WorkloadRef> out = new ArrayList<>();
    caches.forEach((kind, c) -> c.byIndex(IN_FLIGHT, ALL).forEach(r ->
        out.add(new WorkloadRef(kind, r.getMetadata().getNamespace(), r.getMetadata().getName()))));
    Set<WorkloadRef> indexed = new HashSet<>(out);
    long now = nanoTime.getAsLong();
    reserved.entrySet().removeIf(e -> now > e.getValue().deadline());
    for (Map.Entry<String, Reservation> e : reserved.entrySet()) {
      if (e.getKey().equals(exceptReservationOf)) {
        continue;
      }
      Reservation res = e.getValue();
      Indexed<?> c = caches.get(res.workload().kind());
      Optional<? extends HasMetadata> seen = c == null ? Optional.empty() : c.get(res.workload());
      if (c != null && seen.isEmpty()) {
        continue; // deleted: no rollout
      }
      if (seen.isEmpty() || generationOf(seen.get()) < res.generation()) {
        out.add(res.workload());
      } else {
        seenInFlight.add(res.workload()); // the cache shows the write: see seenInFlight
      }
    }
    // those the index missed: in flight while their cached object says so (see seenInFlight)
    Set<WorkloadRef> counted = new HashSet<>(out);
    for (WorkloadRef ref : seenInFlight) {
      if (indexed.contains(ref)) {
        continue;
      }
      Indexed<?> c = caches.get(ref.kind());
      if (c != null && c.inFlightNow(ref)) {
        if (counted.add(ref)) {
          out.add(ref);
        }
      } else {
        seenInFlight.remove(ref);
      }
    }
    seenInFlight.addAll(indexed);
    return out;
  }

  /** Names of the policy's workloads whose operator rollout failed (only Deployments can), sorted. */
  private List<String> failedNames(PolicyRef policy) {
    return caches.values().stream().flatMap(c -> c.byIndex(FAILED, policy.key()).stream())
        .map(r -> policy.isCluster() ? r.getMetadata().getNamespace() + "/" + r.getMetadata().getName()
            : r.getMetadata().getName()).sorted().toList();
  }

  private static String uid(HasMetadata r) {
    return r.getMetadata().getUid();
  }

  private static long generationOf(HasMetadata r) {
    return r.getMetadata().getGeneration() == null ? 0 : r.getMetadata().getGeneration();
  }

  private static Candidate candidate(HasMetadata r, Workload w) {
    return new Candidate(w.ref(), r.getMetadata().getCreationTimestamp());
  }

  /** The policy whose change the workload carries ({@code graceful.io/applied-policy}), or null. */
  private static PolicyRef appliedPolicy(Workload w) {
    return PolicyRef.parse(w.annotations().get(GracefulAnnotations.APPLIED_POLICY), w.namespace());
  }
}
