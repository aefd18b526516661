package io.graceful.operator.core;

import static io.graceful.operator.core.CoreFixtures.NATIVE;
import static io.graceful.operator.core.CoreFixtures.apply;
import static io.graceful.operator.core.CoreFixtures.container;
import static io.graceful.operator.core.CoreFixtures.normalized;
import static io.graceful.operator.core.CoreFixtures.spec;
import static io.graceful.operator.core.CoreFixtures.web;
import static io.graceful.operator.core.CoreFixtures.withAnnotation;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.graceful.operator.api.v1alpha1.DeploymentState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Planning with ClusterGracefulPolicies (docs/rules.md R7, R8, R12). */
class ClusterPolicyPlanningTest {
  private static final NamespaceView PROD = new NamespaceView(Map.of("env", "prod"), "graceful-system");
  private static final NamespaceView DEV = new NamespaceView(Map.of("env", "dev"), "graceful-system");

  private static PolicySnapshot platform(long sleep) {
    return PolicySnapshot.cluster("platform", "2020-01-01T00:00:00Z", 1, spec(sleep, 20L),
        CoreFixtures.selector(Map.of("env", "prod")));
  }

  private static PolicySnapshot team(long sleep) {
    return new PolicySnapshot(CoreFixtures.NS, "team", "2025-01-01T00:00:00Z", 1, spec(sleep, 20L));
  }

  @Test
  void aClusterPolicyAppliesInASelectedNamespaceAndRecordsItsScopedName() {
    Deployment d = web(container("app"));
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(d), List.of(platform(7)), NATIVE, PROD);
    assertThat(plan.change()).isEqualTo(Change.APPLY);
    assertThat(plan.governingPolicy()).isEqualTo("cluster/platform");
    Deployment applied = apply(plan, d);
    assertThat(applied.getMetadata().getAnnotations()).containsEntry(GracefulAnnotations.APPLIED_POLICY,
        "cluster/platform");
    assertThat(WorkloadPlanner.plan(Workload.of(applied), List.of(platform(7)), NATIVE, PROD).change())
        .isEqualTo(Change.NONE);
  }

  @Test
  void aNamespaceTheSelectorDoesNotSelectIsNotGoverned() {
    Deployment d = web(container("app"));
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(d), List.of(platform(7)), NATIVE, DEV);
    assertThat(plan.change()).isEqualTo(Change.NONE);
    assertThat(plan.verdicts()).isEmpty();
    // without namespace facts only an empty or a naming selector could select: this one does not
    assertThat(WorkloadPlanner.plan(Workload.of(d), List.of(platform(7)), NATIVE).change()).isEqualTo(Change.NONE);
  }

  @Test
  void aNamespaceLeavingTheSelectorIsRevertedExactly() {
    Deployment d = web(container("app"));
    Deployment applied = apply(WorkloadPlanner.plan(Workload.of(d), List.of(platform(7)), NATIVE, PROD), d);
    WorkloadPlan revert = WorkloadPlanner.plan(Workload.of(applied), List.of(platform(7)), NATIVE, DEV);
    assertThat(revert.change()).isEqualTo(Change.REVERT);
    assertThat(normalized(apply(revert, applied))).isEqualTo(normalized(d));
  }

  @Test
  void aNamespacedPolicyOverridesTheClusterPolicyWithoutAConflict() {
    Deployment d = web(container("app"));
    Deployment underCluster = apply(WorkloadPlanner.plan(Workload.of(d), List.of(platform(7)), NATIVE, PROD), d);
    // the team policy is younger and has the same priority: scope, not age, decides
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(underCluster), List.of(platform(7), team(12)), NATIVE, PROD);
    assertThat(plan.governingPolicy()).isEqualTo("team");
    assertThat(plan.change()).isEqualTo(Change.APPLY);
    PolicyVerdict clusterVerdict = plan.verdicts().stream().filter(v -> v.policy().equals("cluster/platform"))
        .findFirst().orElseThrow();
    assertThat(clusterVerdict.state()).isEqualTo(DeploymentState.Skipped);
    assertThat(clusterVerdict.reason()).isEqualTo("OverriddenByNamespacePolicy");
    assertThat(clusterVerdict.message()).contains("shop/team");
    assertThat(plan.verdicts()).noneMatch(v -> v.state() == DeploymentState.Conflict);
    Deployment underTeam = apply(plan, underCluster);
    assertThat(underTeam.getMetadata().getAnnotations()).containsEntry(GracefulAnnotations.APPLIED_POLICY, "team");
    // the switch is exact: the same as planning the untouched Deployment under the team policy alone
    assertThat(normalized(underTeam)).isEqualTo(normalized(
        apply(WorkloadPlanner.plan(Workload.of(d), List.of(team(12)), NATIVE, PROD), d)));
  }

  @Test
  void theAnnotationCanNameTheClusterPolicyOverANamespacedOne() {
    Deployment d = withAnnotation(web(container("app")), GracefulAnnotations.POLICY, "cluster/platform");
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(d), List.of(team(12), platform(7)), NATIVE, PROD);
    assertThat(plan.governingPolicy()).isEqualTo("cluster/platform");
    PolicyVerdict teamVerdict = plan.verdicts().stream().filter(v -> v.policy().equals("team")).findFirst()
        .orElseThrow();
    assertThat(teamVerdict.state()).isEqualTo(DeploymentState.Conflict);
    assertThat(teamVerdict.message()).contains("graceful.io/policy");
  }

  @Test
  void namingAClusterPolicyDoesNotWidenItsNamespaceSelector() {
    Deployment d = withAnnotation(web(container("app")), GracefulAnnotations.POLICY, "cluster/platform");
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(d), List.of(platform(7)), NATIVE, DEV);
    assertThat(plan.change()).isEqualTo(Change.NONE);
    assertThat(plan.notices()).anyMatch(n -> n.reason().equals("PolicyNotFound")
        && n.message().contains("namespaceSelector"));
  }

  @Test
  void aNamespacedAndAClusterPolicyOfTheSameNameAreDifferentPolicies() {
    Deployment d = web(container("app"));
    PolicySnapshot clusterTeam = PolicySnapshot.cluster("team", "2020-01-01T00:00:00Z", 1, spec(7, 20L),
        CoreFixtures.selector(Map.of("env", "prod")));
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(d), List.of(clusterTeam, team(12)), NATIVE, PROD);
    assertThat(plan.governingPolicy()).isEqualTo("team");
    assertThat(plan.verdicts()).extracting(PolicyVerdict::policy).containsExactlyInAnyOrder("team", "cluster/team");
  }

  @Test
  void kubeSystemIsUntouchedEvenByASelectorForEverything() {
    Deployment dns = web(container("app"));
    dns.getMetadata().setNamespace("kube-system");
    PolicySnapshot everything = PolicySnapshot.cluster("everything", "2020-01-01T00:00:00Z", 1, spec(7, 20L),
        new io.fabric8.kubernetes.api.model.LabelSelector());
    NamespaceView kubeSystem = new NamespaceView(Map.of(), "graceful-system");
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(dns), List.of(everything), NATIVE, kubeSystem);
    assertThat(plan.change()).isEqualTo(Change.NONE);
    assertThat(plan.verdicts()).isEmpty();
    // the same selector governs an ordinary namespace
    Deployment shop = web(container("app"));
    assertThat(WorkloadPlanner.plan(Workload.of(shop), List.of(everything), NATIVE, DEV).governingPolicy())
        .isEqualTo("cluster/everything");
  }

  @Test
  void theClusterPolicysStatusListsTheOverrideAndCountsNoConflict() {
    Deployment api = CoreFixtures.deployment("api", Map.of("tier", "web"), null, null, container("app"));
    PolicySnapshot teamForWeb = new PolicySnapshot(CoreFixtures.NS, "team", "2025-01-01T00:00:00Z", 1,
        spec(12, 20L));
    teamForWeb.spec().setSelector(CoreFixtures.selector(Map.of("app-name", "web")));
    Deployment labelledWeb = CoreFixtures.deployment("web", Map.of("tier", "web", "app-name", "web"), null, null,
        container("app"));
    List<PolicySnapshot> both = List.of(platform(7), teamForWeb);
    List<WorkloadPlan> plans = List.of(
        WorkloadPlanner.plan(Workload.of(labelledWeb), both, NATIVE, PROD),
        WorkloadPlanner.plan(Workload.of(api), both, NATIVE, PROD));
    io.graceful.operator.api.v1alpha1.GracefulPolicyStatus cluster = PolicyStatusCalculator.compute(platform(7),
        plans, null, true, "2025-01-01T00:00:00Z");
    assertThat(cluster.getMatched()).isEqualTo(2);
    assertThat(cluster.getConflicts()).isZero();
    assertThat(cluster.getDeployments()).extracting(e -> e.getName() + ":" + e.getReason())
        .containsExactlyInAnyOrder("web:OverriddenByNamespacePolicy", "api:ChangePending");
    io.graceful.operator.api.v1alpha1.GracefulPolicyStatus team = PolicyStatusCalculator.compute(teamForWeb,
        plans, null, true, "2025-01-01T00:00:00Z");
    assertThat(team.getMatched()).isEqualTo(1);
    assertThat(team.getConflicts()).isZero();
  }
}
