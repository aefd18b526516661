package io.graceful.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Observed state of a GracefulPolicy: a deterministic function of the policy and the workloads it selects. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GracefulPolicyStatus {
  @JsonPropertyDescription("The metadata.generation of the spec this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Ready: every workload the policy governs is in its desired state (False names what "
      + "is left: pending changes, conflicts, halted rollouts or failing writes). Valid: the spec passed the "
      + "operator's own validation. RolloutsHalted: True while failed rollouts stop this policy's new rollouts (the "
      + "circuit breaker). WritesFailing: True while the API server refuses writes to governed workloads (names "
      + "them, with the server's message). SleepSufficient (only while drain is measured): True when the measured "
      + "drain fits in the preStop sleep, False with the numbers when it does not or a termination was unsafe, "
      + "Unknown until enough samples.")
  private List<PolicyCondition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The hook action in use (what Auto resolved to): Sleep (native kubelet sleep action) "
      + "or Exec (the image's sleep binary). See hookActionReason and hookActionMessage for why.")
  private HookAction hookAction;

  @JsonPropertyDescription("Where hookAction comes from. For action Auto: AllKubeletsRunSleep (every node's kubelet "
      + "is >= 1.30), OldKubelet (a node's kubelet is older, or unreadable: exec sleep), NoNodes (no node reports a "
      + "kubelet version), NodesNotReadable (the operator may not list nodes) or NodesNotListed (not listed yet): "
      + "in those three the API server version decides; Forced (GRACEFUL_NATIVE_SLEEP). SetByPolicy for action "
      + "Sleep or Exec.")
  private String hookActionReason;

  @JsonPropertyDescription("The decision in words: which node and kubelet version, or which fallback, e.g. \"node "
      + "worker-7 runs kubelet v1.29.4, which ignores the native sleep action\".")
  private String hookActionMessage;

  @JsonPropertyDescription("Workloads (every kind the policy governs) this policy selects (labels or "
      + "graceful.io/policy annotation).")
  private Integer matched;
  @JsonPropertyDescription("Matched workloads that carry this policy's hook and grace period.")
  private Integer applied;
  @JsonPropertyDescription("Matched workloads that still need a change from this policy.")
  private Integer pending;
  @JsonPropertyDescription("Matched workloads left alone (opted out, foreign hook kept, no matching container...).")
  private Integer skipped;
  @JsonPropertyDescription("Matched workloads evaluated in Audit mode.")
  private Integer audit;
  @JsonPropertyDescription("Matched workloads governed by another policy, or where another writer keeps undoing "
      + "the operator's change.")
  private Integer conflicts;

  @JsonPropertyDescription("Up to 50 matched workloads that are not plainly Applied (other states, and Applied "
      + "with a qualification such as ShortenedForGitOps or AppliesOnNextRestart), with kind, state, reason and "
      + "message, sorted by kind, then name (a ClusterGracefulPolicy's entries also name the namespace, and sort by it "
      + "first). The field keeps its name from when only Deployments were governed.")
  private List<GovernedDeployment> deployments = new ArrayList<>();

  @JsonPropertyDescription("Drain measurement (only while the operator runs with GRACEFUL_MEASURE_DRAIN): how long "
      + "routing took to let go of the governed workloads' terminating pods, and the sleep that covers it. See the "
      + "condition SleepSufficient.")
  private DrainStatus drain;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<PolicyCondition> getConditions() {
    return conditions;
  }

  public void setConditions(List<PolicyCondition> conditions) {
    this.conditions = conditions;
  }

  public HookAction getHookAction() {
    return hookAction;
  }

  public void setHookAction(HookAction hookAction) {
    this.hookAction = hookAction;
  }

  public String getHookActionReason() {
    return hookActionReason;
  }

  public void setHookActionReason(String hookActionReason) {
    this.hookActionReason = hookActionReason;
  }

  public String getHookActionMessage() {
    return hookActionMessage;
  }

  public void setHookActionMessage(String hookActionMessage) {
    this.hookActionMessage = hookActionMessage;
  }

  public Integer getMatched() {
    return matched;
  }

  public void setMatched(Integer matched) {
    this.matched = matched;
  }

  public Integer getApplied() {
    return applied;
  }

  public void setApplied(Integer applied) {
    this.applied = applied;
  }

  public Integer getPending() {
    return pending;
  }

  public void setPending(Integer pending) {
    this.pending = pending;
  }

  public Integer getSkipped() {
    return skipped;
  }

  public void setSkipped(Integer skipped) {
    this.skipped = skipped;
  }

  public Integer getAudit() {
    return audit;
  }

  public void setAudit(Integer audit) {
    this.audit = audit;
  }

  public Integer getConflicts() {
    return conflicts;
  }

  public void setConflicts(Integer conflicts) {
    this.conflicts = conflicts;
  }

  public List<GovernedDeployment> getDeployments() {
    return deployments;
  }

  public void setDeployments(List<GovernedDeployment> deployments) {
    this.deployments = deployments;
  }

  public DrainStatus getDrain() {
    return drain;
  }

  public void setDrain(DrainStatus drain) {
    this.drain = drain;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GracefulPolicyStatus other && Objects.equals(observedGeneration, other.observedGeneration)
        && Objects.equals(conditions, other.conditions) && hookAction == other.hookAction
        && Objects.equals(hookActionReason, other.hookActionReason)
        && Objects.equals(hookActionMessage, other.hookActionMessage)
        && Objects.equals(matched, other.matched) && Objects.equals(applied, other.applied)
        && Objects.equals(pending, other.pending) && Objects.equals(skipped, other.skipped)
        && Objects.equals(audit, other.audit) && Objects.equals(conflicts, other.conflicts)
        && Objects.equals(deployments, other.deployments) && Objects.equals(drain, other.drain);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, conditions, hookAction, hookActionReason, hookActionMessage, matched, applied, pending, skipped, audit,
        conflicts, deployments, drain);
  }
}
