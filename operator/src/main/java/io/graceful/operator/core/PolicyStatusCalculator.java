package io.graceful.operator.core;

import io.graceful.operator.api.v1alpha1.DeploymentState;
import io.graceful.operator.api.v1alpha1.GovernedDeployment;
import io.graceful.operator.api.v1alpha1.GracefulPolicyStatus;
import io.graceful.operator.api.v1alpha1.HookAction;
import io.graceful.operator.api.v1alpha1.PolicyCondition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A policy's status as a function of the policy and the plans of its namespace's Deployments. Conditions keep
 * their lastTransitionTime unless their status flips, so an unchanged world computes an equal status and the
 * glue writes nothing.
 */
public final class PolicyStatusCalculator {
  /** Bound on {@code status.deployments}, so a policy over thousands of Deployments keeps a small object. */
  public static final int MAX_LISTED = 50;
  public static final String READY = "Ready";
  public static final String VALID = "Valid";
  public static final String ROLLOUTS_HALTED = "RolloutsHalted";
  public static final String WRITES_FAILING = "WritesFailing";
  /** {@code hookActionReason} of a policy whose action is Sleep or Exec, not Auto. */
  public static final String SET_BY_POLICY = "SetByPolicy";

  private PolicyStatusCalculator() {
  }

  /**
   * @param now RFC 3339 time to stamp on a condition that flips
   */
  public static GracefulPolicyStatus compute(PolicySnapshot policy, List<WorkloadPlan> plans,
      GracefulPolicyStatus previous, boolean nativeSleepSupported, String now) {
    return compute(policy, plans, previous, NativeSleepDecision.forced(nativeSleepSupported), now, RolloutHolds.NONE);
  }

  /** The same with the native sleep forced on or off. */
  public static GracefulPolicyStatus compute(PolicySnapshot policy, List<WorkloadPlan> plans,
      GracefulPolicyStatus previous, boolean nativeSleepSupported, String now, RolloutHolds holds) {
    return compute(policy, plans, previous, NativeSleepDecision.forced(nativeSleepSupported), now, holds);
  }

  /**
   * @param nativeSleep what action {@code Auto} means and why ({@code hookAction}, {@code hookActionReason},
   *     {@code hookActionMessage})
   * @param holds what the rollout budget holds back for this policy: waiting Deployments are reported as
   *     {@code Pending/WaitingForRolloutBudget}, and an open circuit breaker as {@code Pending/RolloutsHalted}
   *     plus the condition {@value #ROLLOUTS_HALTED}
   */
  public static GracefulPolicyStatus compute(PolicySnapshot policy, List<WorkloadPlan> plans,
      GracefulPolicyStatus previous, NativeSleepDecision nativeSleep, String now, RolloutHolds holds) {
    return compute(policy, plans, previous, nativeSleep, now, holds, Map.of());
  }

  /**
   * @param writeFailures Deployment name -> the last refused write ("CODE: server message") of the policy's
   *     Deployments whose writes keep failing: condition {@value #WRITES_FAILING}
   */
  public static GracefulPolicyStatus compute(PolicySnapshot policy, List<WorkloadPlan> plans,
      GracefulPolicyStatus previous, NativeSleepDecision nativeSleep, String now, RolloutHolds holds,
      Map<String, String> writeFailures) {
    return compute(policy, plans, previous, nativeSleep, now, holds, writeFailures, Map.of());
  }

  /**
   * @param unavailable kinds that cannot be governed now, and why (Argo Rollouts without their CRD, or without the
   *     permission to watch them): a valid policy listing one says so in its Valid condition's message, which
   *     stays True (the spec is right; the cluster lacks the kind)
   */
  public static GracefulPolicyStatus compute(PolicySnapshot policy, List<WorkloadPlan> plans,
      GracefulPolicyStatus previous, NativeSleepDecision nativeSleep, String now, RolloutHolds holds,
      Map<String, String> writeFailures, Map<WorkloadKind, String> unavailable) {
    PolicySettings.Validated validated = PolicySettings.validate(policy.spec());
    Map<DeploymentState, Integer> counts = new EnumMap<>(DeploymentState.class);
    List<GovernedDeployment> listed = new ArrayList<>();
    int fighting = 0;
    int matched = 0;
    for (WorkloadPlan plan : plans) {
      PolicyVerdict v = plan.verdictFor(policy.id()).orElse(null);
      if (v == null) {
        continue;
      }
      matched++;
      counts.merge(v.state(), 1, Integer::sum);
      if (v.reason().equals("FightingAnotherController")) {
        fighting++;
      }
      if (v.state() == DeploymentState.Pending && holds.halted()) {
        v = new PolicyVerdict(v.policy(), v.state(), "RolloutsHalted", "held: too many of this policy's "
            + "rollouts failed; " + v.message());
      } else if (v.state() == DeploymentState.Pending && holds.waiting().contains(plan.ref())) {
        v = new PolicyVerdict(v.policy(), v.state(), "WaitingForRolloutBudget", "waiting for a free rollout "
            + "slot; " + v.message());
      }
      // Applied with a qualification (a hook fitted to a GitOps grace period) is listed too: people must see it
      if (v.state() != DeploymentState.Applied || !v.reason().equals("Applied")) {
        GovernedDeployment entry = new GovernedDeployment(plan.ref().kind().name(), plan.name(), v.state(),
            v.reason(), v.message());
        // a cluster policy's workloads are spread over namespaces: its entries name theirs
        listed.add(policy.isCluster() ? entry.inNamespace(plan.ref().namespace()) : entry);
      }
    }
    listed.sort(Comparator.comparing((GovernedDeployment g) -> g.getNamespace() == null ? "" : g.getNamespace())
        .thenComparing(GovernedDeployment::getKind).thenComparing(GovernedDeployment::getName));

    GracefulPolicyStatus status = new GracefulPolicyStatus();
    status.setObservedGeneration(policy.generation());
    status.setMatched(matched);
    status.setApplied(counts.getOrDefault(DeploymentState.Applied, 0));
    status.setPending(counts.getOrDefault(DeploymentState.Pending, 0));
    status.setSkipped(counts.getOrDefault(DeploymentState.Skipped, 0));
    status.setAudit(counts.getOrDefault(DeploymentState.Audit, 0));
    status.setConflicts(counts.getOrDefault(DeploymentState.Conflict, 0));
    status.setDeployments(listed.size() > MAX_LISTED ? List.copyOf(listed.subList(0, MAX_LISTED)) : listed);
    if (validated.valid()) {
      HookAction configured = validated.settings().action();
      status.setHookAction(validated.settings().resolvedAction(nativeSleep.autoUsesSleep()));
      if (configured == HookAction.Auto) {
        status.setHookActionReason(nativeSleep.reason());
        status.setHookActionMessage(nativeSleep.message());
      } else {
        status.setHookActionReason(SET_BY_POLICY);
        status.setHookActionMessage("spec.preStop.action is " + configured
            + (configured == HookAction.Sleep && !nativeSleep.autoUsesSleep()
                ? "; note that Auto would use exec sleep here: " + nativeSleep.message() : ""));
      }
    }

    List<PolicyCondition> previousConditions = previous == null || previous.getConditions() == null ? List.of()
        : previous.getConditions();
    PolicyCondition valid = validated.valid()
        ? condition(VALID, true, "SpecValid", "the spec is valid" + unavailableNote(policy, unavailable), policy,
            previousConditions, now)
        : condition(VALID, false, "InvalidSpec", String.join("; ", validated.problems()), policy,
            previousConditions, now);
    PolicyCondition halted = holds.halted()
        ? condition(ROLLOUTS_HALTED, true, "TooManyFailedRollouts", holds.failed().size() + " rollouts failed "
            + "(ProgressDeadlineExceeded): " + String.join(", ", holds.failed()) + ". No new rollout starts for "
            + "this policy until they are fixed or rolled back", policy, previousConditions, now)
        : condition(ROLLOUTS_HALTED, false, "RolloutsFlowing", holds.failed().isEmpty() ? "no failed rollouts"
            : holds.failed().size() + " failed rollouts (below the threshold): " + String.join(", ", holds.failed()),
            policy, previousConditions, now);
    List<String> failing = new ArrayList<>();
    writeFailures.forEach((name, text) -> failing.add(name + " (" + text + ")"));
    PolicyCondition writes = failing.isEmpty()
        ? condition(WRITES_FAILING, false, "WritesSucceeding", "no refused writes", policy, previousConditions, now)
        : condition(WRITES_FAILING, true, "WritesRefused", failing.size() + " Deployments cannot be written, "
            + "retried with back-off: " + String.join("; ", failing.size() > 5 ? failing.subList(0, 5) : failing)
            + (failing.size() > 5 ? "; ..." : ""), policy, previousConditions, now);
    PolicyCondition ready;
    if (!validated.valid()) {
      ready = condition(READY, false, "InvalidSpec", "the spec is invalid; no Deployment is changed", policy,
          previousConditions, now);
    } else if (holds.halted()) {
      ready = condition(READY, false, "RolloutsHalted", "too many failed rollouts; see condition "
          + ROLLOUTS_HALTED, policy, previousConditions, now);
    } else if (!failing.isEmpty()) {
      ready = condition(READY, false, "WritesFailing", "the API server refuses writes; see condition "
          + WRITES_FAILING, policy, previousConditions, now);
    } else if (status.getPending() > 0) {
      ready = condition(READY, false, "ChangesPending", status.getPending() + " of " + matched
          + " matched Deployments are waiting for a change", policy, previousConditions, now);
    } else if (fighting > 0) {
      ready = condition(READY, false, "FightingAnotherController", fighting
          + " Deployments keep being changed back by another writer", policy, previousConditions, now);
    } else {
      ready = condition(READY, true, "Converged", summary(status), policy, previousConditions, now);
    }
    status.setConditions(List.of(ready, valid, halted, writes));
    return status;
  }

  /** "; Rollout is not governed now: why", for each listed kind that cannot be governed now. */
  private static String unavailableNote(PolicySnapshot policy, Map<WorkloadKind, String> unavailable) {
    StringBuilder out = new StringBuilder();
    for (WorkloadKind kind : GovernedKinds.of(policy.spec())) {
      String why = unavailable.get(kind);
      if (why != null) {
        out.append("; ").append(kind.name()).append(" is not governed now: ").append(why);
      }
    }
    return out.toString();
  }

  private static String summary(GracefulPolicyStatus s) {
    return s.getMatched() + " matched: " + s.getApplied() + " applied, " + s.getSkipped() + " skipped, "
        + s.getAudit() + " audit, " + s.getConflicts() + " conflicts";
  }

  private static PolicyCondition condition(String type, boolean ok, String reason, String message, PolicySnapshot policy,
      List<PolicyCondition> previous, String now) {
    String status = ok ? "True" : "False";
    String since = previous.stream()
        .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()) && c.getLastTransitionTime() != null)
        .map(PolicyCondition::getLastTransitionTime)
        .findFirst()
        .orElse(now);
    return new PolicyCondition(type, status, reason, message, policy.generation(), since);
  }

  /**
   * The policy's matched workloads by kind and state (the status counts split by kind, for the metrics): every kind
   * the policy governs is present, with zeros, so a kind's series exist before its first workload.
   */
  public static java.util.Map<WorkloadKind, java.util.Map<DeploymentState, Integer>> countsByKind(
      PolicySnapshot policy, List<WorkloadPlan> plans) {
    java.util.Map<WorkloadKind, java.util.Map<DeploymentState, Integer>> out = new java.util.EnumMap<>(
        WorkloadKind.class);
    for (WorkloadKind kind : GovernedKinds.of(policy.spec())) {
      out.put(kind, zeros());
    }
    for (WorkloadPlan plan : plans) {
      plan.verdictFor(policy.id()).ifPresent(v -> out.computeIfAbsent(plan.ref().kind(), k -> zeros())
          .merge(v.state(), 1, Integer::sum));
    }
    return out;
  }

  private static java.util.Map<DeploymentState, Integer> zeros() {
    java.util.Map<DeploymentState, Integer> m = new java.util.EnumMap<>(DeploymentState.class);
    for (DeploymentState state : DeploymentState.values()) {
      m.put(state, 0);
    }
    return m;
  }
}
