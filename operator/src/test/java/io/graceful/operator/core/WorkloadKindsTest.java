package io.graceful.operator.core;

import static io.graceful.operator.core.CoreFixtures.container;
import static io.graceful.operator.core.CoreFixtures.policy;
import static io.graceful.operator.core.CoreFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.graceful.operator.api.v1alpha1.DeploymentState;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** StatefulSets and DaemonSets: how each reads, how its rollout is judged, and what spec.workloads matches. */
class WorkloadKindsTest {

  static StatefulSet statefulSet(String strategy, int replicas) {
    return new StatefulSetBuilder().withNewMetadata().withNamespace(CoreFixtures.NS).withName("db").withGeneration(2L)
        .withLabels(Map.of("tier", "web")).endMetadata()
        .withNewSpec().withReplicas(replicas).withServiceName("db")
        .withNewUpdateStrategy().withType(strategy).endUpdateStrategy()
        .withNewSelector().withMatchLabels(Map.of("app", "db")).endSelector()
        .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "db")).endMetadata()
        .withNewSpec().withContainers(container("db")).endSpec().endTemplate().endSpec().build();
  }

  static DaemonSet daemonSet(String strategy) {
    return new DaemonSetBuilder().withNewMetadata().withNamespace(CoreFixtures.NS).withName("proxy")
        .withGeneration(2L).withLabels(Map.of("tier", "web")).endMetadata()
        .withNewSpec().withNewUpdateStrategy().withType(strategy).endUpdateStrategy()
        .withNewSelector().withMatchLabels(Map.of("app", "proxy")).endSelector()
        .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "proxy")).endMetadata()
        .withNewSpec().withContainers(container("envoy")).endSpec().endTemplate().endSpec().build();
  }

  static StatefulSetStatusBuilder stsStatus(long observed, int replicas, int updated, int ready, String current,
      String update) {
    return new StatefulSetStatusBuilder().withObservedGeneration(observed).withReplicas(replicas)
        .withUpdatedReplicas(updated).withReadyReplicas(ready).withCurrentRevision(current)
        .withUpdateRevision(update);
  }

  static DaemonSetStatusBuilder dsStatus(long observed, int desired, int updated, int available) {
    return new DaemonSetStatusBuilder().withObservedGeneration(observed).withDesiredNumberScheduled(desired)
        .withCurrentNumberScheduled(desired).withUpdatedNumberScheduled(updated).withNumberAvailable(available);
  }

  static GracefulPolicySpec governing(String... kinds) {
    GracefulPolicySpec s = spec(5, 10L);
    s.setWorkloads(kinds.length == 0 ? null : List.of(kinds));
    return s;
  }

  @Test
  void aStatefulSetReadsItsKindUpdateStrategyAndRollout() {
    StatefulSet set = statefulSet("RollingUpdate", 3);
    set.setStatus(stsStatus(2, 3, 1, 3, "db-1", "db-2").build());

    Workload w = Workload.of(set);

    assertThat(w.ref()).isEqualTo(new WorkloadRef(WorkloadKind.StatefulSet, CoreFixtures.NS, "db"));
    assertThat(w.strategyType()).isEqualTo("RollingUpdate");
    assertThat(w.template()).isSameAs(set.getSpec().getTemplate());
    assertThat(w.restartsPods()).isTrue();
    assertThat(w.rollout()).isEqualTo(RolloutProgress.State.IN_PROGRESS);
  }

  @Test
  void aStatefulSetRollingUpdateEndsOnlyWhenEveryPodRunsTheUpdateRevision() {
    StatefulSet set = statefulSet("RollingUpdate", 3);
    set.setStatus(stsStatus(1, 3, 3, 3, "db-1", "db-1").build());
    assertThat(RolloutProgress.of(set)).as("the controller has not seen generation 2").isEqualTo(
        RolloutProgress.State.IN_PROGRESS);
    set.setStatus(stsStatus(2, 3, 3, 3, "db-1", "db-2").build());
    assertThat(RolloutProgress.of(set)).as("a partitioned update: revisions differ").isEqualTo(
        RolloutProgress.State.IN_PROGRESS);
    set.setStatus(stsStatus(2, 3, 3, 2, "db-2", "db-2").build());
    assertThat(RolloutProgress.of(set)).as("a pod not ready yet").isEqualTo(RolloutProgress.State.IN_PROGRESS);
    set.setStatus(stsStatus(2, 3, 3, 3, "db-2", "db-2").build());
    assertThat(RolloutProgress.of(set)).isEqualTo(RolloutProgress.State.COMPLETE);
  }

  @Test
  void onDeleteRestartsNothingAndIsCompleteOnceEveryPodRunsTheTemplate() {
    StatefulSet set = statefulSet("OnDelete", 2);
    set.setStatus(stsStatus(2, 2, 0, 2, "db-1", "db-2").build());
    assertThat(RolloutProgress.restartsPods(set)).isFalse();
    assertThat(RolloutProgress.of(set)).isEqualTo(RolloutProgress.State.IN_PROGRESS);
    set.setStatus(stsStatus(2, 2, 2, 2, "db-1", "db-2").build());
    assertThat(RolloutProgress.of(set)).as("OnDelete never moves currentRevision").isEqualTo(
        RolloutProgress.State.COMPLETE);

    DaemonSet ds = daemonSet("OnDelete");
    ds.setStatus(dsStatus(2, 3, 1, 3).build());
    assertThat(RolloutProgress.restartsPods(ds)).isFalse();
    assertThat(RolloutProgress.of(ds)).isEqualTo(RolloutProgress.State.IN_PROGRESS);
    ds.setStatus(dsStatus(2, 3, 3, 3).build());
    assertThat(RolloutProgress.of(ds)).isEqualTo(RolloutProgress.State.COMPLETE);
  }

  @Test
  void aDaemonSetRolloutEndsWhenEveryScheduledPodIsUpdatedAndAvailable() {
    DaemonSet ds = daemonSet("RollingUpdate");
    assertThat(RolloutProgress.restartsPods(ds)).as("no node runs it yet").isFalse();
    ds.setStatus(dsStatus(2, 3, 2, 3).build());
    assertThat(RolloutProgress.restartsPods(ds)).isTrue();
    assertThat(RolloutProgress.of(ds)).isEqualTo(RolloutProgress.State.IN_PROGRESS);
    ds.setStatus(dsStatus(2, 3, 3, 2).build());
    assertThat(RolloutProgress.of(ds)).isEqualTo(RolloutProgress.State.IN_PROGRESS);
    ds.setStatus(dsStatus(1, 3, 3, 3).build());
    assertThat(RolloutProgress.of(ds)).isEqualTo(RolloutProgress.State.IN_PROGRESS);
    ds.setStatus(dsStatus(2, 3, 3, 3).build());
    assertThat(RolloutProgress.of(ds)).isEqualTo(RolloutProgress.State.COMPLETE);
    assertThat(Workload.of(ds).ref().kind()).isEqualTo(WorkloadKind.DaemonSet);
  }

  @Test
  void aPolicyMatchesOnlyTheKindsItLists() {
    StatefulSet set = statefulSet("RollingUpdate", 3);
    set.setStatus(stsStatus(2, 3, 3, 3, "db-2", "db-2").build());

    WorkloadPlan byDefault = WorkloadPlanner.plan(Workload.of(set), List.of(policy("web", governing())),
        CoreFixtures.NATIVE);
    WorkloadPlan listed = WorkloadPlanner.plan(Workload.of(set),
        List.of(policy("web", governing("Deployment", "StatefulSet"))), CoreFixtures.NATIVE);

    assertThat(byDefault.verdicts()).as("the default is [Deployment]").isEmpty();
    assertThat(byDefault.writes()).isFalse();
    assertThat(listed.change()).isEqualTo(Change.APPLY);
    assertThat(CoreFixtures.applyAny(listed, set).getMetadata().getAnnotations())
        .as("a rollout that restarts pods is recorded: it takes a rollout slot")
        .containsEntry(GracefulAnnotations.ROLLOUT, "3");
  }

  @Test
  void anOnDeleteWorkloadIsAppliedOnItsNextRestartAndTakesNoRolloutSlot() {
    StatefulSet set = statefulSet("OnDelete", 2);
    set.setStatus(stsStatus(2, 2, 2, 2, "db-1", "db-1").build());
    List<PolicySnapshot> policies = List.of(policy("web", governing("StatefulSet")));

    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(set), policies, CoreFixtures.NATIVE);
    StatefulSet written = CoreFixtures.applyAny(plan, set);
    assertThat(written.getMetadata().getAnnotations()).doesNotContainKey(GracefulAnnotations.ROLLOUT);

    // the server bumps the generation; the pods still run the old template
    written.getMetadata().setGeneration(3L);
    written.setStatus(stsStatus(3, 2, 0, 2, "db-1", "db-2").build());
    WorkloadPlan waiting = WorkloadPlanner.plan(Workload.of(written), policies, CoreFixtures.NATIVE);
    assertThat(waiting.writes()).isFalse();
    assertThat(waiting.verdicts().get(0).state()).isEqualTo(DeploymentState.Applied);
    assertThat(waiting.verdicts().get(0).reason()).isEqualTo("AppliesOnNextRestart");
    assertThat(RolloutProgress.operatorRolloutInFlight(Workload.of(written))).isFalse();

    // both pods deleted and recreated from the new template
    written.setStatus(stsStatus(3, 2, 2, 2, "db-1", "db-2").build());
    WorkloadPlan restarted = WorkloadPlanner.plan(Workload.of(written), policies, CoreFixtures.NATIVE);
    assertThat(restarted.verdicts().get(0).reason()).isEqualTo("Applied");
  }

  @Test
  void aStatefulSetAndADeploymentOfTheSameNameAreDifferentWorkloads() {
    WorkloadRef set = new WorkloadRef(WorkloadKind.StatefulSet, "shop", "web");
    WorkloadRef deployment = WorkloadRef.deployment("shop", "web");
    assertThat(set).isNotEqualTo(deployment);
    assertThat(set.key()).isNotEqualTo(deployment.key());
  }

  @Test
  void aNamedPolicyThatDoesNotGovernTheKindIsReported() {
    DaemonSet ds = daemonSet("RollingUpdate");
    ds.getMetadata().setLabels(Map.of());
    ds.getMetadata().setAnnotations(Map.of(GracefulAnnotations.POLICY, "web"));

    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(ds), List.of(policy("web", governing())),
        CoreFixtures.NATIVE);

    assertThat(plan.writes()).isFalse();
    assertThat(plan.notices()).singleElement().satisfies(n -> {
      assertThat(n.reason()).isEqualTo("PolicyNotFound");
      assertThat(n.message()).contains("does not govern DaemonSets");
    });
  }

  @Test
  void anUnknownKindMakesThePolicyInvalid() {
    GracefulPolicySpec s = governing("Deployment", "ReplicaSet");
    assertThat(PolicySettings.validate(s).problems()).containsExactly(
        "spec.workloads: unknown kind 'ReplicaSet' (allowed: Deployment, StatefulSet, DaemonSet, Rollout)");
    assertThat(GovernedKinds.of(s)).containsExactly(WorkloadKind.Deployment);
    assertThat(GovernedKinds.of(governing())).containsExactly(WorkloadKind.Deployment);
  }
}
