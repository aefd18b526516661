package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.graceful.operator.core.DeploymentPlan;
import io.graceful.operator.core.GracefulAnnotations;
import io.graceful.operator.core.RolloutHolds;
import io.graceful.operator.core.RolloutProgress;
import io.graceful.operator.core.RolloutQueue;
import io.graceful.operator.core.RolloutQueue.Candidate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Paces the operator's rollouts (issue: never a rollout storm). A Deployment counts from the operator's write
 * until its status shows the rollout complete or failed; Deployments that would restart no pods (scaled to zero,
 * brand new) are never counted nor held. Waiting Deployments start in {@link RolloutQueue#FAIR} order.
 *
 * <p>Circuit breaker, per policy: when {@code failureThreshold} of the Deployments a policy manages have a failed
 * rollout, that policy starts no new rollouts. It is derived from the Deployments themselves, so it survives
 * restarts and closes only when a person fixes or rolls back the failed Deployments (or opts them out).
 *
 * <p>State kept in memory: the in-flight set (rebuilt after a restart from managed Deployments still rolling
 * out, counted conservatively) and the waiting set.
 */
public final class RolloutBudget {
  /** The answer to "may this plan be written now?". */
  public enum Admission { GO, WAIT, HALTED }

  /**
   * @param sinceGeneration observations of an older generation predate the operator's write and say nothing
   *     about its rollout
   */
  private record Tracked(String namespace, String name, String policy, long sinceGeneration) {}

  private final int maxTotal;
  private final int maxPerNamespace;
  private final int failureThreshold;
  private final Map<String, Tracked> inFlight = new ConcurrentHashMap<>();
  private final Map<String, Tracked> failed = new ConcurrentHashMap<>();
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final ConcurrentSkipListSet<Candidate> waiting = new ConcurrentSkipListSet<>(RolloutQueue.FAIR);
  private final java.util.concurrent.atomic.AtomicLong lastSweep = new java.util.concurrent.atomic.AtomicLong();

  public RolloutBudget(int maxTotal, int maxPerNamespace, int failureThreshold) {
    this.maxTotal = maxTotal;
    this.maxPerNamespace = maxPerNamespace;
    this.failureThreshold = failureThreshold;
  }

  /** Whether status-only updates of this Deployment matter (its rollout is tracked). */
  public boolean watches(Deployment d) {
    String uid = d.getMetadata().getUid();
    return uid != null && (inFlight.containsKey(uid) || failed.containsKey(uid));
  }

  /** Updates what is known of one Deployment's rollout; called on every reconciliation of it. */
  public void observe(Deployment d) {
    String uid = d.getMetadata().getUid();
    boolean firstSight = seen.add(uid);
    String policy = policyOf(d);
    RolloutProgress.State state = RolloutProgress.of(d);
    boolean tracked = inFlight.containsKey(uid) || failed.containsKey(uid);
    if (!tracked && !(firstSight && policy != null)) {
      return;
    }
    long generation = generationOf(d);
    Tracked known = inFlight.get(uid);
    if (known != null && generation < known.sinceGeneration()) {
      return; // the cache has not seen the operator's write yet
    }
    Tracked t = new Tracked(d.getMetadata().getNamespace(), d.getMetadata().getName(),
        policy != null ? policy : trackedPolicy(uid), known == null ? generation : known.sinceGeneration());
    switch (state) {
      case COMPLETE -> {
        inFlight.remove(uid);
        failed.remove(uid);
      }
      case FAILED -> {
        inFlight.remove(uid);
        failed.put(uid, t);
      }
      case IN_PROGRESS -> {
        failed.remove(uid);
        if (RolloutProgress.restartsPods(d)) {
          inFlight.put(uid, t);
        }
      }
    }
  }

  private String trackedPolicy(String uid) {
    Tracked t = inFlight.getOrDefault(uid, failed.get(uid));
    return t == null ? null : t.policy();
  }

  /**
   * Decides whether the plan may be written now. A plan that changes no template, or a Deployment whose pods a
   * change would not restart, always goes.
   *
   * @param exists whether a Deployment (namespace/name) is still in the cache: deleted ones free their slot
   */
  public synchronized Admission admit(Deployment d, DeploymentPlan plan, Predicate<String> exists) {
    Candidate me = candidate(d);
    if (!RolloutProgress.changesTemplate(plan) || !RolloutProgress.restartsPods(d)) {
      waiting.remove(me);
      return Admission.GO;
    }
    String policy = plan.governingPolicy() != null ? plan.governingPolicy() : policyOf(d);
    if (policy != null && halted(d.getMetadata().getNamespace(), policy)) {
      waiting.add(me);
      return Admission.HALTED;
    }
    // the write bumps the generation: only what is observed from then on tells about this rollout
    Tracked slot = new Tracked(d.getMetadata().getNamespace(), d.getMetadata().getName(), policy,
        generationOf(d) + 1);
    if (maxTotal == 0 && maxPerNamespace == 0) {
      reserve(d, slot);
      return Admission.GO;
    }
    forgetDeleted(exists);
    waiting.add(me);
    Map<String, Integer> byNamespace = new HashMap<>();
    inFlight.values().forEach(t -> byNamespace.merge(t.namespace(), 1, Integer::sum));
    if (RolloutQueue.mayStart(me, waiting, inFlight.size(), byNamespace, maxTotal, maxPerNamespace)) {
      waiting.remove(me);
      // the slot is taken now, before the write, so that concurrent reconciliations see it
      reserve(d, slot);
      return Admission.GO;
    }
    return Admission.WAIT;
  }

  private void reserve(Deployment d, Tracked slot) {
    inFlight.put(d.getMetadata().getUid(), slot);
    failed.remove(d.getMetadata().getUid());
  }

  /** The admitted write did not happen (the server refused it): the slot is free again. */
  public void writeFailed(Deployment d) {
    inFlight.remove(d.getMetadata().getUid());
  }

  /** The Deployment no longer wants a rollout (compliant, opted out...): it leaves the queue. */
  public void notWaiting(Deployment d) {
    waiting.remove(candidate(d));
  }

  public boolean halted(String namespace, String policy) {
    return failureThreshold > 0 && failedNames(namespace, policy).size() >= failureThreshold;
  }

  public RolloutHolds holdsFor(String namespace, String policy) {
    Set<String> waitingHere = waiting.stream().filter(c -> c.namespace().equals(namespace))
        .map(Candidate::name).collect(Collectors.toSet());
    List<String> failedHere = failedNames(namespace, policy);
    return new RolloutHolds(waitingHere, failedHere, failureThreshold > 0 && failedHere.size() >= failureThreshold);
  }

  public int inFlightCount() {
    return inFlight.size();
  }

  public int waitingCount() {
    return waiting.size();
  }

  public int failedCount() {
    return failed.size();
  }

  private List<String> failedNames(String namespace, String policy) {
    return failed.values().stream().filter(t -> t.namespace().equals(namespace) && policy.equals(t.policy()))
        .map(Tracked::name).sorted().toList();
  }

  private void forgetDeleted(Predicate<String> exists) {
    long now = System.nanoTime();
    long last = lastSweep.get();
    // a sweep walks every waiting Deployment: at most once a second, however many reconcile
    if (now - last < 1_000_000_000L || !lastSweep.compareAndSet(last, now)) {
      return;
    }
    inFlight.values().removeIf(t -> !exists.test(t.namespace() + "/" + t.name()));
    failed.values().removeIf(t -> !exists.test(t.namespace() + "/" + t.name()));
    waiting.removeIf(c -> !exists.test(c.key()));
  }

  private static long generationOf(Deployment d) {
    return d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
  }

  private static Candidate candidate(Deployment d) {
    return new Candidate(d.getMetadata().getNamespace(), d.getMetadata().getName(),
        d.getMetadata().getCreationTimestamp());
  }

  private static String policyOf(Deployment d) {
    Map<String, String> a = d.getMetadata().getAnnotations();
    return a == null ? null : a.get(GracefulAnnotations.APPLIED_POLICY);
  }
}
