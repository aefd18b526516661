package io.graceful.operator.core;

import static io.graceful.operator.core.CoreFixtures.NATIVE;
import static io.graceful.operator.core.CoreFixtures.OLD_SERVER;
import static io.graceful.operator.core.CoreFixtures.apply;
import static io.graceful.operator.core.CoreFixtures.container;
import static io.graceful.operator.core.CoreFixtures.deployment;
import static io.graceful.operator.core.CoreFixtures.execOther;
import static io.graceful.operator.core.CoreFixtures.execSleep;
import static io.graceful.operator.core.CoreFixtures.httpGet;
import static io.graceful.operator.core.CoreFixtures.nativeSleep;
import static io.graceful.operator.core.CoreFixtures.normalized;
import static io.graceful.operator.core.CoreFixtures.policy;
import static io.graceful.operator.core.CoreFixtures.preStop;
import static io.graceful.operator.core.CoreFixtures.shSleep;
import static io.graceful.operator.core.CoreFixtures.spec;
import static io.graceful.operator.core.CoreFixtures.tgps;
import static io.graceful.operator.core.CoreFixtures.web;
import static io.graceful.operator.core.CoreFixtures.withAnnotation;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.graceful.operator.api.v1alpha1.DeploymentState;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import io.graceful.operator.api.v1alpha1.HookAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class WorkloadPlannerTest {

  private static List<PolicySnapshot> policies(long sleep, Long shutdown, Consumer<GracefulPolicySpec> edit) {
    GracefulPolicySpec s = spec(sleep, shutdown);
    edit.accept(s);
    return List.of(policy("web", s));
  }

  private static List<PolicySnapshot> policies(long sleep, Long shutdown) {
    return policies(sleep, shutdown, s -> { });
  }

  private static PolicyVerdict first(WorkloadPlan p) {
    assertThat(p.verdicts()).isNotEmpty();
    return p.verdicts().get(0);
  }

  private static void assertVerdict(WorkloadPlan p, DeploymentState state, String reason) {
    assertThat(first(p).state()).as(first(p).message()).isEqualTo(state);
    assertThat(first(p).reason()).as(first(p).message()).isEqualTo(reason);
  }

  private static Deployment applyAndSettle(Deployment d, List<PolicySnapshot> ps, PlanningContext ctx) {
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(d), ps, ctx);
    Deployment after = apply(plan, d);
    WorkloadPlan again = WorkloadPlanner.plan(Workload.of(after), ps, ctx);
    assertThat(again.change()).isEqualTo(Change.NONE);
    return after;
  }

  @Test
  void plainDeploymentGetsNativeSleepAndEnoughGrace() {
    Deployment d = web(container("app"));
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(d), policies(10, 25L), NATIVE);
    assertThat(plan.change()).isEqualTo(Change.APPLY);
    assertThat(plan.governingPolicy()).isEqualTo("web");
    assertThat(plan.action()).isEqualTo(HookAction.Sleep);
    assertVerdict(plan, DeploymentState.Pending, "ChangePending");
    assertThat(plan.summary()).contains("set preStop sleep 10s", "raise terminationGracePeriodSeconds 30 -> 35");
    Deployment after = apply(plan, d);
    assertThat(preStop(after, "app")).isEqualTo(nativeSleep(10));
    assertThat(tgps(after)).isEqualTo(35L);
    assertThat(CoreFixtures.annotations(after)).containsEntry(GracefulAnnotations.APPLIED_POLICY, "web");
    WorkloadPlan settled = WorkloadPlanner.plan(Workload.of(after), policies(10, 25L), NATIVE);
    assertThat(settled.change()).isEqualTo(Change.NONE);
    assertVerdict(settled, DeploymentState.Applied, "Applied");
  }

  @Test
  void tgpsIsNotWrittenWhenTheDefaultIsEnoughAndNeverLowered() {
    Deployment d = web(container("app"));
    Deployment after = apply(WorkloadPlanner.plan(Workload.of(d), policies(10, 20L), NATIVE), d);
    assertThat(tgps(after)).as("30 = default, not written").isNull();
    Deployment longGrace = deployment("web", Map.of("tier", "web"), null, 300L, container("app"));
    assertThat(tgps(apply(WorkloadPlanner.plan(Workload.of(longGrace), policies(10, 20L), NATIVE), longGrace)))
        .isEqualTo(300L);
    // a floor raises it
    Deployment floored = apply(WorkloadPlanner.plan(Workload.of(d), policies(10, 20L,
        s -> s.setTerminationGracePeriodSeconds(90L)), NATIVE), d);
    assertThat(tgps(floored)).isEqualTo(90L);
  }

  @Test
  void zeroShutdownStillLeavesTheHookShorterThanTheGracePeriod() {
    Deployment d = deployment("web", Map.of("tier", "web"), null, 5L, container("app"));
    Deployment after = apply(WorkloadPlanner.plan(Workload.of(d), policies(20, 0L), NATIVE), d);
    assertThat(tgps(after)).isEqualTo(21L);
  }

  @Test
  void keepLeavesAForeignSleepButRaisesTgpsForIt() {
    Deployment fits = web(container("app", shSleep("20")));
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(fits), policies(5, 10L), NATIVE);
    assertThat(plan.change()).as("sleep 20 + shutdown 10 = 30 fits the default").isEqualTo(Change.NONE);
    assertVerdict(plan, DeploymentState.Skipped, "ExistingHook");

    Deployment tooLong = web(container("app", shSleep("25")));
    WorkloadPlan raise = WorkloadPlanner.plan(Workload.of(tooLong), policies(5, 10L), NATIVE);
    assertThat(raise.change()).isEqualTo(Change.APPLY);
    Deployment after = apply(raise, tooLong);
    assertThat(preStop(after, "app")).isEqualTo(shSleep("25"));
    assertThat(tgps(after)).isEqualTo(35L);
    WorkloadPlan settled = WorkloadPlanner.plan(Workload.of(after), policies(5, 10L), NATIVE);
    assertThat(settled.change()).isEqualTo(Change.NONE);
    assertVerdict(settled, DeploymentState.Skipped, "ExistingHook");
    // and the undo lowers it back to exactly what it was
    Deployment restored = apply(WorkloadPlanner.plan(Workload.of(after), List.of(), NATIVE), after);
    assertThat(normalized(restored)).isEqualTo(normalized(tooLong));
  }

  @Test
  void keepLeavesANonSleepHookAlone() {
    Deployment d = web(container("app", httpGet("/drain")), container("proxy"));
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(d), policies(5, 10L), OLD_SERVER);
    Deployment after = apply(plan, d);
    assertThat(preStop(after, "app")).isEqualTo(httpGet("/drain"));
    assertThat(preStop(after, "proxy")).isEqualTo(execSleep(5));
    assertThat(tgps(after)).isNull();
    WorkloadPlan settled = WorkloadPlanner.plan(Workload.of(after), policies(5, 10L), OLD_SERVER);
    assertVerdict(settled, DeploymentState.Applied, "Applied");
    assertThat(first(settled).message()).contains("kept existing hook of app");
  }

  @Test
  void replaceReplacesAndUndoRestores() {
    Deployment d = deployment("web", Map.of("tier", "web"), Map.of("team", "a"), 60L,
        CoreFixtures.containerWithPostStart("app", execOther("/bin/sleep", "3")));
    List<PolicySnapshot> ps = policies(10, 20L, s -> s.setExistingHook("Replace"));
    Deployment after = applyAndSettle(d, ps, NATIVE);
    assertThat(preStop(after, "app")).isEqualTo(nativeSleep(10));
    assertThat(CoreFixtures.containerNamed(after, "app").getLifecycle().getPostStart()).isNotNull();
    assertThat(tgps(after)).isEqualTo(60L);
    Deployment optedOut = withAnnotation(after, GracefulAnnotations.ENABLED, "false");
    WorkloadPlan revert = WorkloadPlanner.plan(Workload.of(optedOut), ps, NATIVE);
    assertThat(revert.change()).isEqualTo(Change.REVERT);
    assertVerdict(revert, DeploymentState.Skipped, "OptedOut");
    Deployment restored = apply(revert, optedOut);
    assertThat(normalized(restored)).isEqualTo(normalized(withAnnotation(d, GracefulAnnotations.ENABLED, "false")));
  }

  @Test
  void initContainersAndNativeSidecarsAreNeverTouched() {
    Deployment d = web(container("app"));
    Container init = container("init-db");
    Container sidecar = container("mesh", execSleep(5));
    sidecar.setRestartPolicy("Always");
    d.getSpec().getTemplate().getSpec().setInitContainers(new ArrayList<>(List.of(init, sidecar)));
    List<PolicySnapshot> ps = policies(10, 20L, s -> s.setExistingHook("Replace"));
    Deployment after = applyAndSettle(d, ps, NATIVE);
    assertThat(after.getSpec().getTemplate().getSpec().getInitContainers())
        .isEqualTo(d.getSpec().getTemplate().getSpec().getInitContainers());
    assertThat(preStop(after, "app")).isEqualTo(nativeSleep(10));
    // even when the policy names them
    List<PolicySnapshot> named = policies(10, 20L, s -> s.setContainers(new ArrayList<>(List.of("mesh",
        "init-db"))));
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(d), named, NATIVE);
    assertThat(plan.change()).isEqualTo(Change.NONE);
    assertVerdict(plan, DeploymentState.Skipped, "NoMatchingContainers");
    assertThat(first(plan).message()).contains("not found: mesh, init-db");
  }

  @Test
  void containersAndExcludeContainers() {
    Deployment d = web(container("app"), container("proxy"), container("metrics"));
    Deployment only = applyAndSettle(d, policies(5, 10L, s -> s.setContainers(new ArrayList<>(List.of("app",
        "metrics")))), NATIVE);
    assertThat(preStop(only, "app")).isNotNull();
    assertThat(preStop(only, "proxy")).isNull();
    assertThat(CoreFixtures.containerNamed(only, "proxy").getLifecycle()).isNull();
    assertThat(preStop(only, "metrics")).isNotNull();

    Deployment excluded = applyAndSettle(d, policies(5, 10L, s -> {
      s.setContainers(new ArrayList<>(List.of("app", "metrics")));
      s.setExcludeContainers(new ArrayList<>(List.of("metrics")));
    }), NATIVE);
    assertThat(preStop(excluded, "app")).isNotNull();
    assertThat(preStop(excluded, "proxy")).isNull();
    assertThat(preStop(excluded, "metrics")).isNull();

    WorkloadPlan none = WorkloadPlanner.plan(Workload.of(d), policies(5, 10L,
        s -> s.setExcludeContainers(new ArrayList<>(List.of("app", "proxy", "metrics")))), NATIVE);
    assertThat(none.change()).isEqualTo(Change.NONE);
    assertVerdict(none, DeploymentState.Skipped, "NoMatchingContainers");
  }

  @Test
  void missingContainerNamesAreReported() {
    Deployment d = web(container("app"));
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(d), policies(5, 10L,
        s -> s.setContainers(new ArrayList<>(List.of("ghost")))), NATIVE);
    assertThat(plan.change()).isEqualTo(Change.NONE);
    assertVerdict(plan, DeploymentState.Skipped, "NoMatchingContainers");
    assertThat(first(plan).message()).contains("not found: ghost");
  }

  @Test
  void optedOutDeploymentIsLeftAlone() {
    Deployment d = deployment("web", Map.of("tier", "web"), Map.of(GracefulAnnotations.ENABLED, "False"), null,
        container("app"));
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(d), policies(5, 10L), NATIVE);
    assertThat(plan.change()).isEqualTo(Change.NONE);
    assertThat(plan.patch()).isEmpty();
    assertVerdict(plan, DeploymentState.Skipped, "OptedOut");
  }

  @Test
  void invalidEnabledValueFreezesEvenAManagedDeployment() {
    Deployment d = web(container("app"));
    Deployment applied = applyAndSettle(d, policies(5, 30L), NATIVE);
    Deployment typo = withAnnotation(applied, GracefulAnnotations.ENABLED, "no");
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(typo), policies(5, 30L), NATIVE);
    assertThat(plan.change()).isEqualTo(Change.NONE);
    assertThat(plan.patch()).isEmpty();
    assertVerdict(plan, DeploymentState.Skipped, "InvalidAnnotation");
    assertThat(plan.notices()).extracting(Notice::reason).containsExactly("InvalidAnnotation");
    assertThat(plan.notices().get(0).message()).contains("graceful.io/enabled='no'");
  }

  @Test
  void invalidPolicyFreezes() {
    Deployment d = web(container("app"));
    Deployment applied = applyAndSettle(d, policies(5, 30L), NATIVE);
    List<PolicySnapshot> invalid = policies(5, 30L, s -> s.setTerminationGracePeriodSeconds(20L));
    for (Deployment x : List.of(d, applied)) {
      WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(x), invalid, NATIVE);
      assertThat(plan.change()).isEqualTo(Change.NONE);
      assertThat(plan.patch()).isEmpty();
      assertVerdict(plan, DeploymentState.Skipped, "PolicyInvalid");
    }
  }

  @Test
  void unreadableRecordFreezes() {
    Deployment d = web(container("app"));
    Deployment applied = applyAndSettle(d, policies(5, 30L), NATIVE);
    Deployment broken = withAnnotation(applied, GracefulAnnotations.ORIGINAL, "{oops");
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(broken), policies(5, 30L), NATIVE);
    assertThat(plan.change()).isEqualTo(Change.NONE);
    assertVerdict(plan, DeploymentState.Skipped, "UnreadableRecord");
    assertThat(plan.notices()).extracting(Notice::reason).contains("UnreadableRecord");
    assertThat(WorkloadPlanner.plan(Workload.of(broken), List.of(), NATIVE).change()).as("not even a revert")
        .isEqualTo(Change.NONE);
  }

  @Test
  void auditChangesNothingAndRevertsAnAppliedDeployment() {
    Deployment d = web(container("app"));
    List<PolicySnapshot> audit = policies(5, 30L, s -> s.setMode("Audit"));
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(d), audit, NATIVE);
    assertThat(plan.change()).isEqualTo(Change.NONE);
    assertThat(plan.patch()).isEmpty();
    assertVerdict(plan, DeploymentState.Audit, "WouldChange");
    assertThat(first(plan).message()).contains("would", "sleep 5s", "30 -> 35");

    Deployment applied = applyAndSettle(d, policies(5, 30L), NATIVE);
    WorkloadPlan revert = WorkloadPlanner.plan(Workload.of(applied), audit, NATIVE);
    assertThat(revert.change()).isEqualTo(Change.REVERT);
    assertVerdict(revert, DeploymentState.Audit, "WouldChange");
    assertThat(normalized(apply(revert, applied))).isEqualTo(normalized(d));

    Deployment compliant = deployment("web", Map.of("tier", "web"), null, 60L, container("app", nativeSleep(5)));
    assertVerdict(WorkloadPlanner.plan(Workload.of(compliant), audit, NATIVE), DeploymentState.Audit, "Compliant");
  }

  @Test
  void sleepActionOnAnOldServerIsSkipped() {
    Deployment d = web(container("app"));
    WorkloadPlan byPolicy = WorkloadPlanner.plan(Workload.of(d),
        policies(5, 10L, s -> s.getPreStop().setAction("Sleep")), OLD_SERVER);
    assertThat(byPolicy.change()).isEqualTo(Change.NONE);
    assertVerdict(byPolicy, DeploymentState.Skipped, "SleepActionUnsupported");
    Deployment annotated = withAnnotation(d, GracefulAnnotations.ACTION, "Sleep");
    WorkloadPlan byAnnotation = WorkloadPlanner.plan(Workload.of(annotated), policies(5, 10L), OLD_SERVER);
    assertVerdict(byAnnotation, DeploymentState.Skipped, "SleepActionUnsupported");
    // Auto on an old server: exec sleep
    WorkloadPlan auto = WorkloadPlanner.plan(Workload.of(d), policies(5, 10L), OLD_SERVER);
    assertThat(auto.action()).isEqualTo(HookAction.Exec);
    assertThat(preStop(apply(auto, d), "app")).isEqualTo(execSleep(5));
  }

  @Test
  void oldKubeletsBehindANewServerMakeAutoExecButAnExplicitSleepIsStillWritten() {
    PlanningContext oldKubelets = new PlanningContext(NativeSleepDecision.decide(
        List.of(new NativeSleepDecision.NodeKubelet("worker-7", "v1.29.4"),
            new NativeSleepDecision.NodeKubelet("worker-1", "v1.31.0")),
        java.util.Optional.of(new KubeVersion(1, 31)), NativeSleepDecision.Nodes.READABLE), 3);
    Deployment d = web(container("app"));
    WorkloadPlan auto = WorkloadPlanner.plan(Workload.of(d), policies(5, 10L), oldKubelets);
    assertThat(auto.action()).isEqualTo(HookAction.Exec);
    Deployment exec = apply(auto, d);
    assertThat(preStop(exec, "app")).isEqualTo(execSleep(5));
    // the user asked for the native action (a distroless image): the server accepts it, so it is written
    WorkloadPlan explicit = WorkloadPlanner.plan(Workload.of(d),
        policies(5, 10L, s -> s.getPreStop().setAction("Sleep")), oldKubelets);
    assertThat(preStop(apply(explicit, d), "app")).isEqualTo(nativeSleep(5));

    // native sleep written while every kubelet ran it; an old kubelet joins: one write switches it to exec
    Deployment nativeApplied = apply(WorkloadPlanner.plan(Workload.of(d), policies(5, 10L), NATIVE), d);
    assertThat(preStop(nativeApplied, "app")).isEqualTo(nativeSleep(5));
    WorkloadPlan switched = WorkloadPlanner.plan(Workload.of(nativeApplied), policies(5, 10L), oldKubelets);
    assertThat(switched.change()).as("the operator's own hook, re-planned: not a fight").isEqualTo(Change.APPLY);
    Deployment after = apply(switched, nativeApplied);
    assertThat(normalized(after)).as("the same as writing exec from the start").isEqualTo(normalized(exec));
    assertThat(WorkloadPlanner.plan(Workload.of(after), policies(5, 10L), oldKubelets).change()).isEqualTo(Change.NONE);
    // and back, once the old node left
    assertThat(normalized(apply(WorkloadPlanner.plan(Workload.of(after), policies(5, 10L), NATIVE), after)))
        .isEqualTo(normalized(nativeApplied));
  }

  @Test
  void annotationOverridesAndTheirProblems() {
    Deployment d = deployment("web", Map.of("tier", "web"), Map.of(GracefulAnnotations.SLEEP_SECONDS, "15",
        GracefulAnnotations.SHUTDOWN_SECONDS, "abc", GracefulAnnotations.ACTION, "Exec"), null, container("app"));
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(d), policies(5, 40L), NATIVE);
    Deployment after = apply(plan, d);
    assertThat(preStop(after, "app")).isEqualTo(execSleep(15));
    assertThat(tgps(after)).isEqualTo(55L);
    assertThat(plan.notices()).singleElement().extracting(Notice::reason).isEqualTo("InvalidAnnotation");
  }

  @Test
  void aTunedSleepIsThePolicysSleepButAWorkloadsSleepAnnotationStillWins() {
    List<PolicySnapshot> tuned = List.of(policies(5, 20L).get(0).withTunedSleep(12L));
    Deployment plain = applyAndSettle(web(container("app")), tuned, NATIVE);
    assertThat(preStop(plain, "app")).isEqualTo(nativeSleep(12));
    assertThat(tgps(plain)).isEqualTo(32L); // R2 covers the tuned sleep
    Deployment annotated = deployment("web", Map.of("tier", "web"), Map.of(GracefulAnnotations.SLEEP_SECONDS, "7"),
        null, container("app"));
    assertThat(preStop(applyAndSettle(annotated, tuned, NATIVE), "app")).isEqualTo(nativeSleep(7));
  }

  @Test
  void optInByAnnotationAndPrecedence() {
    Deployment unlabelled = deployment("api", null, Map.of(GracefulAnnotations.POLICY, "web"), null,
        container("app"));
    assertThat(WorkloadPlanner.plan(Workload.of(unlabelled), policies(5, 10L), NATIVE).change())
        .isEqualTo(Change.APPLY);

    GracefulPolicySpec low = spec(5, 10L);
    GracefulPolicySpec high = spec(7, 10L);
    high.setPriority(10L);
    List<PolicySnapshot> two = List.of(policy("low", low), policy("high", high));
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(web(container("app"))), two, NATIVE);
    assertThat(plan.governingPolicy()).isEqualTo("high");
    assertThat(plan.verdictFor("low").orElseThrow().state()).isEqualTo(DeploymentState.Conflict);
    assertThat(plan.verdictFor("low").orElseThrow().reason()).isEqualTo("GovernedByOtherPolicy");
    Deployment named = withAnnotation(web(container("app")), GracefulAnnotations.POLICY, "low");
    assertThat(WorkloadPlanner.plan(Workload.of(named), two, NATIVE).governingPolicy()).isEqualTo("low");
    // a policy named by the annotation that does not exist
    WorkloadPlan ghost = WorkloadPlanner.plan(Workload.of(withAnnotation(web(container("app")),
        GracefulAnnotations.POLICY, "ghost")), two, NATIVE);
    assertThat(ghost.governingPolicy()).isEqualTo("high");
    assertThat(ghost.notices()).extracting(Notice::reason).contains("PolicyNotFound");
  }

  @Test
  void aClusterPolicyReferenceNamesNoPolicyOfTheNamespace() {
    // "cluster/<name>" names a ClusterGracefulPolicy (docs/design.md): it must not pick the namespace's policy of
    // that name, and the workload is told that the named cluster policy does not exist or does not select it
    Deployment d = withAnnotation(web(container("app")), GracefulAnnotations.POLICY, "cluster/web");
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(d), List.of(policy("web", spec(5, 10L))), NATIVE);
    assertThat(plan.governingPolicy()).as("selected by its labels, not named").isEqualTo("web");
    assertThat(plan.notices()).extracting(Notice::message).containsExactly(GracefulAnnotations.POLICY
        + " names policy 'cluster/web', which does not exist or whose namespaceSelector does not select namespace "
        + CoreFixtures.NS);
  }

  @Test
  void switchingThePolicyReplansFromTheOriginal() {
    Deployment d = web(container("app"));
    Deployment first = applyAndSettle(d, policies(5, 40L), NATIVE);
    assertThat(tgps(first)).isEqualTo(45L);
    Deployment second = applyAndSettle(first, policies(8, 10L), NATIVE);
    assertThat(preStop(second, "app")).isEqualTo(nativeSleep(8));
    assertThat(tgps(second)).as("never lowered").isEqualTo(45L);
    Deployment restored = apply(WorkloadPlanner.plan(Workload.of(second), List.of(), NATIVE), second);
    assertThat(normalized(restored)).isEqualTo(normalized(d));
  }

  @Test
  void fightingAnotherControllerStopsAfterMaxReapplies() {
    Deployment d = web(container("app"));
    List<PolicySnapshot> ps = policies(5, 10L);
    Deployment current = applyAndSettle(d, ps, NATIVE);
    for (int attempt = 1; attempt <= 3; attempt++) {
      Deployment undone = CoreFixtures.copy(current);
      CoreFixtures.containerNamed(undone, "app").setLifecycle(null); // someone removes the hook
      WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(undone), ps, NATIVE);
      assertThat(plan.change()).as("attempt %d", attempt).isEqualTo(Change.REAPPLY);
      assertThat(plan.summary()).contains("attempt " + attempt + " of 3");
      current = apply(plan, undone);
      assertThat(CoreFixtures.annotations(current)).containsEntry(GracefulAnnotations.REAPPLIED,
          Integer.toString(attempt));
      assertThat(preStop(current, "app")).isEqualTo(nativeSleep(5));
    }
    Deployment undone = CoreFixtures.copy(current);
    CoreFixtures.containerNamed(undone, "app").setLifecycle(null);
    WorkloadPlan gaveUp = WorkloadPlanner.plan(Workload.of(undone), ps, NATIVE);
    assertThat(gaveUp.change()).isEqualTo(Change.NONE);
    assertThat(gaveUp.patch()).isEmpty();
    assertVerdict(gaveUp, DeploymentState.Conflict, "FightingAnotherController");
    // an opt-out still reverts what is left (the annotations)
    Deployment out = withAnnotation(undone, GracefulAnnotations.ENABLED, "false");
    Deployment restored = apply(WorkloadPlanner.plan(Workload.of(out), ps, NATIVE), out);
    assertThat(normalized(restored)).isEqualTo(normalized(withAnnotation(d, GracefulAnnotations.ENABLED, "false")));
  }

  @Test
  void theReapplyCountDecaysSoAManifestReleasedAgainMuchLaterIsNotAFight() {
    Deployment d = web(container("app"));
    List<PolicySnapshot> ps = policies(5, 10L);
    java.time.Instant t0 = java.time.Instant.parse("2026-01-01T00:00:00Z");
    PlanningContext at0 = new PlanningContext(NATIVE.nativeSleep(), 3, t0);
    Deployment current = applyAndSettle(d, ps, at0);
    for (int attempt = 1; attempt <= 3; attempt++) {
      Deployment undone = CoreFixtures.copy(current);
      CoreFixtures.containerNamed(undone, "app").setLifecycle(null);
      current = apply(WorkloadPlanner.plan(Workload.of(undone), ps, at0), undone);
    }
    assertThat(CoreFixtures.annotations(current)).containsEntry(GracefulAnnotations.REAPPLIED,
        "3 2026-01-01T00:00:00Z");
    Deployment undone = CoreFixtures.copy(current);
    CoreFixtures.containerNamed(undone, "app").setLifecycle(null);
    PlanningContext soon = new PlanningContext(NATIVE.nativeSleep(), 3, t0.plusSeconds(60));
    assertVerdict(WorkloadPlanner.plan(Workload.of(undone), ps, soon), DeploymentState.Conflict,
        "FightingAnotherController");
    PlanningContext later = new PlanningContext(NATIVE.nativeSleep(), 3, t0.plus(java.time.Duration.ofHours(2)));
    WorkloadPlan again = WorkloadPlanner.plan(Workload.of(undone), ps, later);
    assertThat(again.change()).isEqualTo(Change.REAPPLY);
    assertThat(again.summary()).contains("attempt 1 of 3");
    assertThat(CoreFixtures.annotations(apply(again, undone))).containsEntry(GracefulAnnotations.REAPPLIED,
        "1 2026-01-01T02:00:00Z");
  }

  @Test
  void aPersonsHookEditUnderKeepIsRespected() {
    Deployment d = web(container("app"), container("proxy"));
    List<PolicySnapshot> ps = policies(5, 10L);
    Deployment applied = applyAndSettle(d, ps, NATIVE);
    Deployment edited = CoreFixtures.copy(applied);
    CoreFixtures.containerNamed(edited, "proxy").getLifecycle().setPreStop(httpGet("/quit"));
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(edited), ps, NATIVE);
    assertThat(plan.change()).as("Keep: the person's hook is now a foreign hook, no fight").isNotEqualTo(
        Change.REAPPLY);
    Deployment after = apply(plan, edited);
    assertThat(preStop(after, "proxy")).isEqualTo(httpGet("/quit"));
    assertThat(WorkloadPlanner.plan(Workload.of(after), ps, NATIVE).change()).isEqualTo(Change.NONE);
    Deployment restored = apply(WorkloadPlanner.plan(Workload.of(after), List.of(), NATIVE), after);
    assertThat(preStop(restored, "proxy")).isEqualTo(httpGet("/quit"));
    assertThat(preStop(restored, "app")).isNull();
    assertThat(CoreFixtures.containerNamed(restored, "app").getLifecycle()).isNull();
  }

  @Test
  void deploymentWithoutContainersIsFrozen() {
    Deployment d = web(container("app"));
    d.getSpec().getTemplate().setSpec(null);
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(d), policies(5, 10L), NATIVE);
    assertThat(plan.change()).isEqualTo(Change.NONE);
    assertVerdict(plan, DeploymentState.Skipped, "InvalidDeployment");
  }

  @Test
  void policiesOfOtherNamespacesAreIgnored() {
    PolicySnapshot foreign = new PolicySnapshot("elsewhere", "web", "2024-01-01T00:00:00Z", 1, spec(5, 10L));
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(web(container("app"))), List.of(foreign), NATIVE);
    assertThat(plan.verdicts()).isEmpty();
    assertThat(plan.change()).isEqualTo(Change.NONE);
  }
}
