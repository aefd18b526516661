package io.graceful.operator.core;

import static io.graceful.operator.core.CoreFixtures.NATIVE;
import static io.graceful.operator.core.CoreFixtures.apply;
import static io.graceful.operator.core.CoreFixtures.container;
import static io.graceful.operator.core.CoreFixtures.copy;
import static io.graceful.operator.core.CoreFixtures.deployment;
import static io.graceful.operator.core.CoreFixtures.execSleep;
import static io.graceful.operator.core.CoreFixtures.nativeSleep;
import static io.graceful.operator.core.CoreFixtures.policy;
import static io.graceful.operator.core.CoreFixtures.preStop;
import static io.graceful.operator.core.CoreFixtures.spec;
import static io.graceful.operator.core.CoreFixtures.tgps;
import static io.graceful.operator.core.CoreFixtures.withAnnotation;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.graceful.operator.api.v1alpha1.DeploymentState;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * R1 (docs/rules.md) and issue 8: a grace period that a GitOps manifest sets is not raised (the tool would set
 * it back: a fight the operator cannot win); the hook is fitted to it instead. And whenever the operator stops
 * re-applying, its own hook is cut to fit the grace period it leaves behind.
 */
class GracePeriodOwnershipTest {
  private static final List<PolicySnapshot> SLEEP_20_SHUTDOWN_20 = List.of(policy("web", spec(20, 20L)));

  private static ManagedFieldsEntry entry(String manager, String operation, boolean ownsGrace) {
    ManagedFieldsEntry e = new ManagedFieldsEntry();
    e.setManager(manager);
    e.setOperation(operation);
    FieldsV1 f = new FieldsV1();
    Map<String, Object> podSpec = ownsGrace ? Map.of("f:terminationGracePeriodSeconds", Map.of(), "f:containers",
        Map.of()) : Map.of("f:containers", Map.of());
    f.setAdditionalProperty("f:spec", Map.of("f:template", Map.of("f:spec", podSpec)));
    e.setFieldsV1(f);
    return e;
  }

  private static Deployment managedBy(Deployment d, ManagedFieldsEntry... entries) {
    Deployment out = copy(d);
    out.getMetadata().setManagedFields(new ArrayList<>(List.of(entries)));
    return out;
  }

  private static Deployment gitOpsApp(Long grace) {
    return deployment("web", Map.of("tier", "web"), null, grace, container("app"));
  }

  @Test
  void aGracePeriodSetByServerSideApplyIsNotRaisedTheHookIsFittedToIt() {
    Deployment d = managedBy(gitOpsApp(30L), entry("argocd-controller", "Apply", true));
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(d), SLEEP_20_SHUTDOWN_20, NATIVE);
    assertThat(plan.change()).isEqualTo(Change.APPLY);
    Deployment after = apply(plan, d);
    assertThat(tgps(after)).as("Git's value stands").isEqualTo(30L);
    assertThat(preStop(after, "app")).as("30 - shutdown 20").isEqualTo(nativeSleep(10));
    WorkloadPlan settled = WorkloadPlanner.plan(Workload.of(after), SLEEP_20_SHUTDOWN_20, NATIVE);
    assertThat(settled.change()).isEqualTo(Change.NONE);
    assertThat(settled.verdicts().get(0).state()).isEqualTo(DeploymentState.Applied);
    assertThat(settled.verdicts().get(0).reason()).isEqualTo("ShortenedForGitOps");
    assertThat(settled.verdicts().get(0).message()).contains("argocd-controller", "at least 40");
  }

  @Test
  void whenNoSleepFitsTheDeclaredGracePeriodItIsAConflictAndNothingOfTheOperatorsStays() {
    Deployment d = managedBy(gitOpsApp(15L), entry("kustomize-controller", "Apply", true));
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(d), SLEEP_20_SHUTDOWN_20, NATIVE);
    assertThat(plan.change()).isEqualTo(Change.NONE);
    assertThat(plan.verdicts().get(0).state()).isEqualTo(DeploymentState.Conflict);
    assertThat(plan.verdicts().get(0).reason()).isEqualTo("OwnedByGitOps");
    assertThat(plan.verdicts().get(0).message()).contains("kustomize-controller", "at least 40");
  }

  @Test
  void aGracePeriodInLastAppliedConfigurationCountsAsDeclared() {
    Deployment d = withAnnotation(managedBy(gitOpsApp(30L), entry("kubectl-client-side-apply", "Update", true)),
        DeclaredFields.LAST_APPLIED, "{\"spec\":{\"template\":{\"spec\":{\"terminationGracePeriodSeconds\":30}}}}");
    Deployment after = apply(WorkloadPlanner.plan(Workload.of(d), SLEEP_20_SHUTDOWN_20, NATIVE), d);
    assertThat(tgps(after)).isEqualTo(30L);
    assertThat(preStop(after, "app")).isEqualTo(nativeSleep(10));
  }

  @Test
  void aDefaultedGracePeriodOwnedByTheCreatorIsRaisedAsUsual() {
    // `kubectl apply` of a manifest without a grace period: the creating Update owns the defaulted 30 too
    Deployment d = withAnnotation(managedBy(gitOpsApp(30L), entry("kubectl-client-side-apply", "Update", true)),
        DeclaredFields.LAST_APPLIED, "{\"spec\":{\"template\":{\"spec\":{\"containers\":[]}}}}");
    Deployment after = apply(WorkloadPlanner.plan(Workload.of(d), SLEEP_20_SHUTDOWN_20, NATIVE), d);
    assertThat(tgps(after)).isEqualTo(40L);
    assertThat(preStop(after, "app")).isEqualTo(nativeSleep(20));
    Deployment helm = managedBy(gitOpsApp(30L), entry("helm", "Update", true));
    assertThat(tgps(apply(WorkloadPlanner.plan(Workload.of(helm), SLEEP_20_SHUTDOWN_20, NATIVE), helm))).isEqualTo(40L);
  }

  @Test
  void aGitOpsManagerThatSetsTheGracePeriodBackIsNotFoughtTheHookIsFitted() {
    Deployment created = managedBy(gitOpsApp(30L), entry("helm", "Update", true));
    Deployment applied = apply(WorkloadPlanner.plan(Workload.of(created), SLEEP_20_SHUTDOWN_20, NATIVE), created);
    assertThat(tgps(applied)).isEqualTo(40L);
    // helm upgrade sets 30 back (its three-way merge) and so owns the field again
    Deployment synced = managedBy(applied, entry("helm", "Update", true));
    synced.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(30L);
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(synced), SLEEP_20_SHUTDOWN_20, NATIVE);
    assertThat(plan.change()).as("not a re-apply: no fight").isEqualTo(Change.APPLY);
    Deployment after = apply(plan, synced);
    assertThat(tgps(after)).isEqualTo(30L);
    assertThat(preStop(after, "app")).isEqualTo(nativeSleep(10));
    assertThat(WorkloadPlanner.plan(Workload.of(after), SLEEP_20_SHUTDOWN_20, NATIVE).change()).isEqualTo(Change.NONE);
    // and the undo still restores the template as it was before the operator
    Deployment reverted = apply(WorkloadPlanner.plan(Workload.of(after), List.of(), NATIVE), after);
    assertThat(preStop(reverted, "app")).isNull();
    assertThat(tgps(reverted)).isEqualTo(30L);
  }

  @Test
  void afterAFightTheOperatorsHookIsCutToTheGracePeriodItLeaves() {
    List<PolicySnapshot> ps = List.of(policy("web", spec(10, 20L)));
    Deployment d = deployment("web", Map.of("tier", "web"), null, null, container("app"));
    PlanningContext exec = new PlanningContext(false, 3);
    Deployment current = apply(WorkloadPlanner.plan(Workload.of(d), ps, exec), d);
    assertThat(tgps(current)).as("10 + 20 fits the default 30: not written").isNull();
    assertThat(preStop(current, "app")).isEqualTo(execSleep(10));
    // raise the floor so the operator owns the grace period, then something sets 5 again and again
    List<PolicySnapshot> floored = List.of(policy("web", withFloor(spec(10, 20L), 45L)));
    current = apply(WorkloadPlanner.plan(Workload.of(current), floored, exec), current);
    assertThat(tgps(current)).isEqualTo(45L);
    for (int i = 1; i <= 3; i++) {
      Deployment undone = copy(current);
      undone.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(5L);
      WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(undone), floored, exec);
      assertThat(plan.change()).isEqualTo(Change.REAPPLY);
      current = apply(plan, undone);
    }
    Deployment undone = copy(current);
    undone.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(5L);
    WorkloadPlan gaveUp = WorkloadPlanner.plan(Workload.of(undone), floored, exec);
    assertThat(gaveUp.change()).as("R1: the 10 s hook cannot stay on a 5 s grace period").isEqualTo(Change.FIT);
    assertThat(gaveUp.verdicts().get(0).reason()).isEqualTo("FightingAnotherController");
    Deployment fitted = apply(gaveUp, undone);
    assertThat(tgps(fitted)).isEqualTo(5L);
    assertThat(preStop(fitted, "app")).as("5 - shutdown 20 < 1: no sleep fits, the hook is removed").isNull();
    WorkloadPlan again = WorkloadPlanner.plan(Workload.of(fitted), floored, exec);
    assertThat(again.change()).as("stays stopped, no new fight").isEqualTo(Change.NONE);
    assertThat(again.verdicts().get(0).reason()).isEqualTo("FightingAnotherController");
  }

  @Test
  void afterAFightAHookThatStillFitsPartlyIsShortened() {
    List<PolicySnapshot> ps = List.of(policy("web", withFloor(spec(20, 10L), 60L)));
    Deployment d = deployment("web", Map.of("tier", "web"), null, null, container("app"));
    Deployment current = apply(WorkloadPlanner.plan(Workload.of(d), ps, NATIVE), d);
    for (int i = 1; i <= 4; i++) {
      Deployment undone = copy(current);
      undone.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(25L);
      current = apply(WorkloadPlanner.plan(Workload.of(undone), ps, NATIVE), undone);
    }
    assertThat(tgps(current)).isEqualTo(25L);
    assertThat(preStop(current, "app")).as("25 - shutdown 10").isEqualTo(nativeSleep(15));
  }

  @Test
  void anInvalidPolicyFreezesButNeverLeavesAHookAsLongAsTheGracePeriod() {
    Deployment d = deployment("web", Map.of("tier", "web"), null, null, container("app"));
    Deployment current = apply(WorkloadPlanner.plan(Workload.of(d), List.of(policy("web", spec(20, 10L))), NATIVE), d);
    Deployment lowered = copy(current);
    lowered.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(12L);
    GracefulPolicySpec invalid = spec(20, 10L);
    invalid.setTerminationGracePeriodSeconds(5L); // below sleep + shutdown: invalid
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(lowered), List.of(policy("web", invalid)), NATIVE);
    assertThat(plan.change()).isEqualTo(Change.FIT);
    Deployment after = apply(plan, lowered);
    assertThat(preStop(after, "app")).isEqualTo(nativeSleep(11));
    assertThat(WorkloadPlanner.plan(Workload.of(after), List.of(policy("web", invalid)), NATIVE).change())
        .isEqualTo(Change.NONE);
  }

  private static GracefulPolicySpec withFloor(GracefulPolicySpec s, long floor) {
    s.setTerminationGracePeriodSeconds(floor);
    return s;
  }

}
