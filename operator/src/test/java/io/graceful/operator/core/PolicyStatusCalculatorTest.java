package io.graceful.operator.core;

import static io.graceful.operator.core.CoreFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.graceful.operator.api.v1alpha1.DeploymentState;
import io.graceful.operator.api.v1alpha1.GovernedDeployment;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import io.graceful.operator.api.v1alpha1.GracefulPolicyStatus;
import io.graceful.operator.api.v1alpha1.HookAction;
import io.graceful.operator.api.v1alpha1.PolicyCondition;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyStatusCalculatorTest {
  private static final String T0 = "2025-01-01T00:00:00Z";
  private static final String T1 = "2025-01-01T00:05:00Z";
  private static final String T2 = "2025-01-01T00:10:00Z";

  private static PolicySnapshot policy(long generation, GracefulPolicySpec s) {
    return new PolicySnapshot(CoreFixtures.NS, "web", T0, generation, s);
  }

  private static WorkloadPlan plan(String name, PolicyVerdict... verdicts) {
    return new WorkloadPlan(WorkloadRef.deployment(CoreFixtures.NS, name), List.of(verdicts),
        verdicts.length == 0 ? null : verdicts[0].policy(), null, Change.NONE, JsonNodeFactory.instance.arrayNode(), "",
        List.of());
  }

  private static PolicyVerdict v(DeploymentState state, String reason) {
    return new PolicyVerdict("web", state, reason, "message " + reason);
  }

  private static PolicyCondition condition(GracefulPolicyStatus s, String type) {
    return s.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
  }

  @Test
  void countsByOutcomeAndListsTheNonApplied() {
    List<WorkloadPlan> plans = List.of(
        plan("a", v(DeploymentState.Applied, "Applied")),
        plan("b", v(DeploymentState.Applied, "Applied")),
        plan("z", v(DeploymentState.Skipped, "ExistingHook")),
        plan("c", v(DeploymentState.Audit, "WouldChange")),
        plan("d", v(DeploymentState.Conflict, "GovernedByOtherPolicy")),
        plan("e", new PolicyVerdict("other", DeploymentState.Applied, "Applied", "x")),
        plan("f"));
    GracefulPolicyStatus s = PolicyStatusCalculator.compute(policy(4, spec(5, 10L)), plans, null, true, T0);
    assertThat(s.getObservedGeneration()).isEqualTo(4L);
    assertThat(s.getMatched()).isEqualTo(5);
    assertThat(s.getApplied()).isEqualTo(2);
    assertThat(s.getSkipped()).isEqualTo(1);
    assertThat(s.getAudit()).isEqualTo(1);
    assertThat(s.getConflicts()).isEqualTo(1);
    assertThat(s.getPending()).isZero();
    assertThat(s.getHookAction()).isEqualTo(HookAction.Sleep);
    assertThat(s.getDeployments()).extracting(GovernedDeployment::getName).containsExactly("c", "d", "z");
    assertThat(s.getDeployments().get(2)).isEqualTo(new GovernedDeployment("Deployment", "z", DeploymentState.Skipped,
        "ExistingHook", "message ExistingHook"));
    assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Ready").getReason()).isEqualTo("Converged");
    assertThat(condition(s, "Valid").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Valid").getObservedGeneration()).isEqualTo(4L);
    assertThat(PolicyStatusCalculator.compute(policy(4, spec(5, 10L)), plans, null, false, T0).getHookAction())
        .isEqualTo(HookAction.Exec);
  }

  @Test
  void saysWhereTheHookActionComesFrom() {
    NativeSleepDecision oldKubelet = NativeSleepDecision.decide(
        List.of(new NativeSleepDecision.NodeKubelet("worker-7", "v1.29.4")),
        java.util.Optional.of(new KubeVersion(1, 31)), NativeSleepDecision.Nodes.READABLE);
    GracefulPolicyStatus auto = PolicyStatusCalculator.compute(policy(1, spec(5, 10L)), List.of(), null, oldKubelet,
        T0, RolloutHolds.NONE);
    assertThat(auto.getHookAction()).isEqualTo(HookAction.Exec);
    assertThat(auto.getHookActionReason()).isEqualTo("OldKubelet");
    assertThat(auto.getHookActionMessage()).startsWith("node worker-7 runs kubelet v1.29.4");

    GracefulPolicySpec sleep = spec(5, 10L);
    sleep.getPreStop().setAction("Sleep");
    GracefulPolicyStatus explicit = PolicyStatusCalculator.compute(policy(1, sleep), List.of(), null, oldKubelet, T0,
        RolloutHolds.NONE);
    assertThat(explicit.getHookAction()).isEqualTo(HookAction.Sleep);
    assertThat(explicit.getHookActionReason()).isEqualTo(PolicyStatusCalculator.SET_BY_POLICY);
    assertThat(explicit.getHookActionMessage()).isEqualTo("spec.preStop.action is Sleep; note that Auto would use "
        + "exec sleep here: " + oldKubelet.message());

    GracefulPolicySpec exec = spec(5, 10L);
    exec.getPreStop().setAction("Exec");
    assertThat(PolicyStatusCalculator.compute(policy(1, exec), List.of(), null, oldKubelet, T0, RolloutHolds.NONE)
        .getHookActionMessage()).isEqualTo("spec.preStop.action is Exec");

    GracefulPolicySpec bad = spec(5, 10L);
    bad.setTerminationGracePeriodSeconds(1L);
    GracefulPolicyStatus invalid = PolicyStatusCalculator.compute(policy(1, bad), List.of(), null, oldKubelet, T0,
        RolloutHolds.NONE);
    assertThat(invalid.getHookAction()).isNull();
    assertThat(invalid.getHookActionReason()).isNull();
    assertThat(invalid.getHookActionMessage()).isNull();
  }

  @Test
  void listIsBoundedTo50SortedByName() {
    List<WorkloadPlan> plans = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      plans.add(plan(String.format("d%03d", 119 - i), v(DeploymentState.Skipped, "OptedOut")));
    }
    GracefulPolicyStatus s = PolicyStatusCalculator.compute(policy(1, spec(5, 10L)), plans, null, true, T0);
    assertThat(s.getSkipped()).isEqualTo(120);
    assertThat(s.getMatched()).isEqualTo(120);
    assertThat(s.getDeployments()).hasSize(PolicyStatusCalculator.MAX_LISTED);
    assertThat(s.getDeployments().get(0).getName()).isEqualTo("d000");
    assertThat(s.getDeployments().get(49).getName()).isEqualTo("d049");
  }

  @Test
  void readyFalseWhilePendingOrFighting() {
    GracefulPolicyStatus pending = PolicyStatusCalculator.compute(policy(1, spec(5, 10L)),
        List.of(plan("a", v(DeploymentState.Pending, "ChangePending"))), null, true, T0);
    assertThat(condition(pending, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(pending, "Ready").getReason()).isEqualTo("ChangesPending");
    GracefulPolicyStatus fight = PolicyStatusCalculator.compute(policy(1, spec(5, 10L)),
        List.of(plan("a", v(DeploymentState.Conflict, "FightingAnotherController"))), null, true, T0);
    assertThat(condition(fight, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(fight, "Ready").getReason()).isEqualTo("FightingAnotherController");
  }

  @Test
  void invalidSpec() {
    GracefulPolicySpec bad = spec(0, 10L);
    GracefulPolicyStatus s = PolicyStatusCalculator.compute(policy(2, bad), List.of(), null, true, T0);
    assertThat(condition(s, "Valid").getStatus()).isEqualTo("False");
    assertThat(condition(s, "Valid").getReason()).isEqualTo("InvalidSpec");
    assertThat(condition(s, "Valid").getMessage()).contains("sleepSeconds must be 1..3600");
    assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
    assertThat(s.getHookAction()).isNull();
    assertThat(s.getMatched()).isZero();
  }

  @Test
  void lastTransitionTimeMovesOnlyWhenTheStatusFlips() {
    PolicySnapshot p = policy(1, spec(5, 10L));
    List<WorkloadPlan> converged = List.of(plan("a", v(DeploymentState.Applied, "Applied")));
    List<WorkloadPlan> pending = List.of(plan("a", v(DeploymentState.Pending, "ChangePending")));
    GracefulPolicyStatus s0 = PolicyStatusCalculator.compute(p, converged, null, true, T0);
    assertThat(condition(s0, "Ready").getLastTransitionTime()).isEqualTo(T0);

    GracefulPolicyStatus s1 = PolicyStatusCalculator.compute(p, converged, s0, true, T1);
    assertThat(s1).as("unchanged world, equal status: nothing to write").isEqualTo(s0);
    assertThat(condition(s1, "Ready").getLastTransitionTime()).isEqualTo(T0);

    GracefulPolicyStatus s2 = PolicyStatusCalculator.compute(p, pending, s1, true, T2);
    assertThat(condition(s2, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(s2, "Ready").getLastTransitionTime()).isEqualTo(T2);
    assertThat(condition(s2, "Valid").getLastTransitionTime()).as("Valid did not flip").isEqualTo(T0);

    GracefulPolicyStatus s3 = PolicyStatusCalculator.compute(p, pending, s2, true, "2030-01-01T00:00:00Z");
    assertThat(condition(s3, "Ready").getLastTransitionTime()).isEqualTo(T2);

    PolicySnapshot edited = policy(2, spec(6, 10L));
    GracefulPolicyStatus s4 = PolicyStatusCalculator.compute(edited, pending, s3, true, "2031-01-01T00:00:00Z");
    assertThat(s4.getObservedGeneration()).isEqualTo(2L);
    assertThat(condition(s4, "Ready").getObservedGeneration()).isEqualTo(2L);
    assertThat(condition(s4, "Ready").getLastTransitionTime()).isEqualTo(T2);
  }

  @Test
  void refusedWritesAreReportedAndFlipBackWhenTheyStop() {
    PolicySnapshot p = policy(1, spec(10, 20L));
    List<WorkloadPlan> plans = List.of(plan("web", v(DeploymentState.Pending, "ChangePending")));
    GracefulPolicyStatus failing = PolicyStatusCalculator.compute(p, plans, null, NativeSleepDecision.forced(true), T0, RolloutHolds.NONE,
        java.util.Map.of("web", "403: deployments.apps \"web\" is forbidden: cannot patch"));
    assertThat(condition(failing, "WritesFailing").getStatus()).isEqualTo("True");
    assertThat(condition(failing, "WritesFailing").getMessage()).contains("web (403: deployments.apps", "forbidden");
    assertThat(condition(failing, "Ready").getReason()).isEqualTo("WritesFailing");
    GracefulPolicyStatus still = PolicyStatusCalculator.compute(p, plans, failing, NativeSleepDecision.forced(true), T1, RolloutHolds.NONE,
        java.util.Map.of("web", "403: deployments.apps \"web\" is forbidden: cannot patch"));
    assertThat(still).as("unchanged world, equal status: no write").isEqualTo(failing);
    GracefulPolicyStatus healed = PolicyStatusCalculator.compute(p, List.of(plan("web",
        v(DeploymentState.Applied, "Applied"))), still, NativeSleepDecision.forced(true), T2, RolloutHolds.NONE,
        java.util.Map.of());
    assertThat(condition(healed, "WritesFailing").getStatus()).isEqualTo("False");
    assertThat(condition(healed, "WritesFailing").getLastTransitionTime()).isEqualTo(T2);
    assertThat(condition(healed, "Ready").getStatus()).isEqualTo("True");
  }

  @Test
  void aClusterPolicysEntriesNameTheirNamespaceAndSortByIt() {
    PolicySnapshot cluster = PolicySnapshot.cluster("web", T0, 3, spec(10, 20L), null);
    PolicyVerdict overridden = new PolicyVerdict("cluster/web", DeploymentState.Skipped,
        "OverriddenByNamespacePolicy", "overridden");
    PolicyVerdict audit = new PolicyVerdict("cluster/web", DeploymentState.Audit, "WouldChange", "would");
    List<WorkloadPlan> plans = List.of(
        new WorkloadPlan(WorkloadRef.deployment("shop", "a"), List.of(overridden), "cluster/web", null, Change.NONE,
            JsonNodeFactory.instance.arrayNode(), "", List.of()),
        new WorkloadPlan(WorkloadRef.deployment("blog", "z"), List.of(audit), "cluster/web", null, Change.NONE,
            JsonNodeFactory.instance.arrayNode(), "", List.of()),
        // a namespaced policy of the same name elsewhere is not this policy
        plan("b", v(DeploymentState.Applied, "Applied")));

    GracefulPolicyStatus s = PolicyStatusCalculator.compute(cluster, plans, null, false, T1);

    assertThat(s.getMatched()).isEqualTo(2);
    assertThat(s.getSkipped()).isEqualTo(1);
    assertThat(s.getConflicts()).as("an override is no conflict").isZero();
    assertThat(s.getDeployments()).extracting(g -> g.getNamespace() + "/" + g.getName() + " " + g.getReason())
        .containsExactly("blog/z WouldChange", "shop/a OverriddenByNamespacePolicy");
    GracefulPolicyStatus namespaced = PolicyStatusCalculator.compute(policy(1, spec(10, 20L)),
        List.of(plan("x", v(DeploymentState.Skipped, "ExistingHook"))), null, false, T1);
    assertThat(namespaced.getDeployments()).singleElement().satisfies(g -> assertThat(g.getNamespace()).isNull());
  }
}
