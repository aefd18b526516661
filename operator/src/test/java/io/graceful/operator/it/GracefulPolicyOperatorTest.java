package io.graceful.operator.it;

import static io.graceful.operator.it.Fixtures.container;
import static io.graceful.operator.it.Fixtures.deployment;
import static io.graceful.operator.it.Fixtures.policy;
import static io.graceful.operator.it.OperatorHarness.annotations;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.graceful.operator.api.v1alpha1.DeploymentState;
import io.graceful.operator.api.v1alpha1.GovernedDeployment;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.api.v1alpha1.HookAction;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.core.GracefulAnnotations;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real operator against the CRUD mock API server (Kubernetes 1.31: action Auto is the native sleep), checked
 * from the outside as a user would: the Deployments' templates and annotations, the policies' status, the Events
 * and the requests the server received. Each test works in a namespace of its own.
 */
class GracefulPolicyOperatorTest {
  private static final Map<String, String> WEB = Map.of("tier", "web");
  private static OperatorHarness h;

  @BeforeAll
  static void start() {
    h = new OperatorHarness("31", OperatorConfig.defaults());
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  static LifecycleHandler preStop(Deployment d, String container) {
    Container c = d.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(x -> x.getName().equals(container)).findFirst().orElseThrow();
    return c.getLifecycle() == null ? null : c.getLifecycle().getPreStop();
  }

  static Long tgps(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
  }

  static LifecycleHandler sleep(long s) {
    return new LifecycleHandlerBuilder().withNewSleep().withSeconds(s).endSleep().build();
  }

  static LifecycleHandler exec(String... cmd) {
    return new LifecycleHandlerBuilder().withNewExec().withCommand(cmd).endExec().build();
  }

  static boolean hasHook(Deployment d, String container, LifecycleHandler hook) {
    return hook.equals(preStop(d, container));
  }

  @Test
  void appliesToMatchingDeploymentsInOneWriteEachAndLeavesOthersAlone() {
    String ns = h.newNamespace("apply");
    h.client.resource(deployment(ns, "web", WEB, container("app"))).create();
    h.client.resource(deployment(ns, "api", WEB, container("app"))).create();
    Deployment batch = h.client.resource(deployment(ns, "batch", Map.of("tier", "batch"), container("app"))).create();
    h.client.resource(policy(ns, "web", WEB, 10, 20L)).create();

    for (String name : List.of("web", "api")) {
      Deployment d = h.awaitDeployment(ns, name, x -> hasHook(x, "app", sleep(10)));
      assertThat(tgps(d)).as("10 + 20 fits the default 30: not written").isNull();
      assertThat(annotations(d)).containsEntry(GracefulAnnotations.APPLIED_POLICY, "web");
    }
    GracefulPolicy p = h.awaitConverged(ns, "web");
    assertThat(p.getStatus().getMatched()).isEqualTo(2);
    assertThat(p.getStatus().getApplied()).isEqualTo(2);
    assertThat(p.getStatus().getHookAction()).isEqualTo(HookAction.Sleep);
    assertThat(p.getStatus().getConditions()).anySatisfy(c -> {
      assertThat(c.getType()).isEqualTo("Ready");
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getObservedGeneration()).isEqualTo(p.getMetadata().getGeneration());
    });
    assertThat(h.deployment(ns, "batch")).isEqualTo(batch);
    List<MockApiServer.Request> writes = h.deploymentWrites(ns);
    assertThat(writes).hasSize(2).allSatisfy(r -> {
      assertThat(r.method()).isEqualTo("PATCH");
      assertThat(r.path()).contains("fieldManager=graceful-operator");
    });
    assertThat(h.events(ns, "web")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo("HookApplied");
      assertThat(e.getMessage()).contains("sleep 10s").contains("policy web");
    });

    // a Deployment created later is picked up too
    h.client.resource(deployment(ns, "late", WEB, container("app"))).create();
    h.awaitDeployment(ns, "late", x -> hasHook(x, "app", sleep(10)));
    assertThat(h.awaitPolicy(ns, "web", x -> x.getStatus().getApplied() == 3).getStatus().getMatched()).isEqualTo(3);
  }

  @Test
  void multiContainerHonoursContainersAndExcludeContainersAndNeverTouchesInitOrSidecars() {
    String ns = h.newNamespace("multi");
    Deployment d = deployment(ns, "shop", WEB, container("app"), container("log-shipper"), container("proxy"));
    d.getSpec().getTemplate().getSpec().setInitContainers(List.of(container("migrate"),
        new ContainerBuilder(container("mesh")).withRestartPolicy("Always").build()));
    h.client.resource(d).create();
    GracefulPolicy p = policy(ns, "web", WEB, 5, 10L);
    p.getSpec().setExcludeContainers(List.of("log-shipper"));
    h.client.resource(p).create();

    Deployment after = h.awaitDeployment(ns, "shop", x -> hasHook(x, "app", sleep(5)));
    assertThat(preStop(after, "proxy")).isEqualTo(sleep(5));
    assertThat(preStop(after, "log-shipper")).isNull();
    assertThat(after.getSpec().getTemplate().getSpec().getInitContainers())
        .isEqualTo(d.getSpec().getTemplate().getSpec().getInitContainers());

    // now only "proxy" is listed: app is restored, proxy keeps the hook
    h.updatePolicy(ns, "web", spec -> spec.setContainers(List.of("proxy", "does-not-exist")));
    Deployment narrowed = h.awaitDeployment(ns, "shop", x -> preStop(x, "app") == null);
    assertThat(preStop(narrowed, "proxy")).isEqualTo(sleep(5));
  }

  @Test
  void foreignHookIsKeptButARecognisedSleepRaisesTheGracePeriod_ReplaceReplacesIt() {
    String ns = h.newNamespace("foreign");
    h.client.resource(deployment(ns, "drain", WEB, container("app", exec("/bin/drain.sh")))).create();
    h.client.resource(deployment(ns, "sleeper", WEB, container("app", exec("sh", "-c", "sleep 25")))).create();
    h.client.resource(policy(ns, "web", WEB, 10, 15L)).create();

    Deployment sleeper = h.awaitDeployment(ns, "sleeper", x -> Long.valueOf(40).equals(tgps(x)));
    assertThat(preStop(sleeper, "app")).isEqualTo(exec("sh", "-c", "sleep 25"));
    GracefulPolicy p = h.awaitConverged(ns, "web");
    assertThat(p.getStatus().getSkipped()).isEqualTo(2);
    assertThat(p.getStatus().getDeployments()).extracting(GovernedDeployment::getReason)
        .containsOnly("ExistingHook");
    assertThat(preStop(h.deployment(ns, "drain"), "app")).isEqualTo(exec("/bin/drain.sh"));
    assertThat(tgps(h.deployment(ns, "drain"))).isNull();
    assertThat(h.events(ns, "drain")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("ExistingHook"));

    h.updatePolicy(ns, "web", spec -> spec.setExistingHook("Replace"));
    h.awaitDeployment(ns, "drain", x -> hasHook(x, "app", sleep(10)));
    // and the foreign hook comes back exactly on undo
    Deployment drain = h.deployment(ns, "drain");
    drain.getMetadata().getAnnotations().put(GracefulAnnotations.ENABLED, "false");
    h.client.resource(drain).update();
    h.awaitDeployment(ns, "drain", x -> exec("/bin/drain.sh").equals(preStop(x, "app"))
        && !annotations(x).containsKey(GracefulAnnotations.APPLIED_POLICY));
  }

  @Test
  void gracePeriodIsNeverLowered() {
    String ns = h.newNamespace("tgps");
    Deployment d = deployment(ns, "slow", WEB, container("app"));
    d.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(120L);
    h.client.resource(d).create();
    h.client.resource(policy(ns, "web", WEB, 10, 20L)).create();
    Deployment after = h.awaitDeployment(ns, "slow", x -> hasHook(x, "app", sleep(10)));
    assertThat(tgps(after)).isEqualTo(120L);
  }

  @Test
  void perDeploymentOverridesApplyAndMalformedOnesAreReportedAndIgnored() {
    String ns = h.newNamespace("override");
    Deployment good = deployment(ns, "good", WEB, container("app"));
    good.getMetadata().setAnnotations(Map.of(GracefulAnnotations.SLEEP_SECONDS, "15",
        GracefulAnnotations.SHUTDOWN_SECONDS, "30", GracefulAnnotations.ACTION, "Exec"));
    Deployment bad = deployment(ns, "bad", WEB, container("app"));
    bad.getMetadata().setAnnotations(Map.of(GracefulAnnotations.SLEEP_SECONDS, "ten",
        GracefulAnnotations.SHUTDOWN_SECONDS, "99999"));
    h.client.resource(good).create();
    h.client.resource(bad).create();
    h.client.resource(policy(ns, "web", WEB, 10, 20L)).create();

    Deployment g = h.awaitDeployment(ns, "good", x -> hasHook(x, "app", exec("sleep", "15")));
    assertThat(tgps(g)).isEqualTo(45L);
    Deployment b = h.awaitDeployment(ns, "bad", x -> hasHook(x, "app", sleep(10)));
    assertThat(tgps(b)).as("policy values 10 + 20 fit the default 30").isNull();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(h.events(ns, "bad"))
        .filteredOn(e -> e.getReason().equals("InvalidAnnotation")).hasSize(2)
        .allSatisfy(e -> assertThat(e.getType()).isEqualTo("Warning")));
  }

  @Test
  void optInByAnnotationWithoutMatchingLabels() {
    String ns = h.newNamespace("optin");
    Deployment d = deployment(ns, "legacy", Map.of("tier", "other"), container("app"));
    d.getMetadata().setAnnotations(Map.of(GracefulAnnotations.POLICY, "web"));
    h.client.resource(d).create();
    h.client.resource(policy(ns, "web", null, 7, 10L)).create();
    h.awaitDeployment(ns, "legacy", x -> hasHook(x, "app", sleep(7)));
    assertThat(h.awaitConverged(ns, "web").getStatus().getMatched()).isEqualTo(1);
  }

  @Test
  void optOutLabelChangeAndPolicyDeletionEachRestoreTheOriginalExactly() {
    String ns = h.newNamespace("undo");
    Deployment a = h.client.resource(deployment(ns, "a", WEB, container("app"), container("side",
        exec("/bin/drain.sh")))).create();
    Deployment b = h.client.resource(deployment(ns, "b", WEB, container("app"))).create();
    Deployment c = h.client.resource(deployment(ns, "c", WEB, container("app"))).create();
    GracefulPolicy p = policy(ns, "web", WEB, 10, 25L);
    p.getSpec().setExistingHook("Replace");
    h.client.resource(p).create();
    for (String n : List.of("a", "b", "c")) {
      h.awaitDeployment(ns, n, x -> hasHook(x, "app", sleep(10)));
    }
    assertThat(tgps(h.deployment(ns, "a"))).isEqualTo(35L);

    Deployment optOut = h.deployment(ns, "a");
    optOut.getMetadata().getAnnotations().put(GracefulAnnotations.ENABLED, "false");
    h.client.resource(optOut).update();
    Deployment restoredA = h.awaitDeployment(ns, "a", x -> !annotations(x).containsKey(GracefulAnnotations.ORIGINAL));
    assertThat(restoredA.getSpec().getTemplate()).isEqualTo(a.getSpec().getTemplate());
    assertThat(annotations(restoredA)).containsOnlyKeys(GracefulAnnotations.ENABLED);
    assertThat(h.events(ns, "a")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Reverted"));

    Deployment relabel = h.deployment(ns, "b");
    relabel.getMetadata().setLabels(Map.of("tier", "batch"));
    h.client.resource(relabel).update();
    Deployment restoredB = h.awaitDeployment(ns, "b", x -> annotations(x).isEmpty());
    assertThat(restoredB.getSpec().getTemplate()).isEqualTo(b.getSpec().getTemplate());

    h.client.resource(h.policy(ns, "web")).delete();
    Deployment restoredC = h.awaitDeployment(ns, "c", x -> annotations(x).isEmpty());
    assertThat(restoredC.getSpec().getTemplate()).isEqualTo(c.getSpec().getTemplate());
  }

  @Test
  void aPersonsLaterEditOfAManagedFieldSurvivesTheRevert() {
    String ns = h.newNamespace("edit");
    h.client.resource(deployment(ns, "web", WEB, container("app"), container("worker"))).create();
    h.client.resource(policy(ns, "web", WEB, 10, 30L)).create();
    Deployment applied = h.awaitDeployment(ns, "web", x -> hasHook(x, "worker", sleep(10)));
    assertThat(tgps(applied)).isEqualTo(40L);

    // the person changes worker's hook and the grace period
    Deployment edit = h.deployment(ns, "web");
    edit.getSpec().getTemplate().getSpec().getContainers().get(1).getLifecycle().setPreStop(exec("/bin/flush"));
    edit.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(90L);
    edit.getMetadata().getAnnotations().put(GracefulAnnotations.ENABLED, "false");
    h.client.resource(edit).update();

    Deployment after = h.awaitDeployment(ns, "web", x -> !annotations(x).containsKey(GracefulAnnotations.APPLIED));
    assertThat(preStop(after, "app")).isNull();
    assertThat(preStop(after, "worker")).isEqualTo(exec("/bin/flush"));
    assertThat(tgps(after)).isEqualTo(90L);
  }

  @Test
  void auditModeWritesNothingAndSwitchingToAuditReverts() {
    String ns = h.newNamespace("audit");
    Deployment original = h.client.resource(deployment(ns, "web", WEB, container("app"))).create();
    GracefulPolicy p = policy(ns, "web", WEB, 10, 20L);
    p.getSpec().setMode("Audit");
    h.client.resource(p).create();
    GracefulPolicy audited = h.awaitPolicy(ns, "web", x -> x.getStatus().getAudit() == 1);
    assertThat(audited.getStatus().getDeployments()).singleElement().satisfies(g -> {
      assertThat(g.getState()).isEqualTo(DeploymentState.Audit);
      assertThat(g.getReason()).isEqualTo("WouldChange");
      assertThat(g.getMessage()).contains("sleep 10s");
    });
    assertThat(h.deploymentWrites(ns)).isEmpty();
    assertThat(h.deployment(ns, "web")).isEqualTo(original);
    await().atMost(Duration.ofSeconds(10)).until(() -> !h.events(ns, "web").isEmpty());
    assertThat(h.events(ns, "web")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("WouldChange"));

    h.updatePolicy(ns, "web", spec -> spec.setMode("Enforce"));
    h.awaitDeployment(ns, "web", x -> hasHook(x, "app", sleep(10)));
    h.updatePolicy(ns, "web", spec -> spec.setMode("Audit"));
    Deployment reverted = h.awaitDeployment(ns, "web", x -> annotations(x).isEmpty());
    assertThat(reverted.getSpec().getTemplate()).isEqualTo(original.getSpec().getTemplate());
  }

  @Test
  void twoPoliciesFollowPrecedenceAndTheLoserCountsAConflict() {
    String ns = h.newNamespace("prec");
    h.client.resource(deployment(ns, "web", WEB, container("app"))).create();
    Deployment named = deployment(ns, "named", WEB, container("app"));
    named.getMetadata().setAnnotations(Map.of(GracefulAnnotations.POLICY, "low"));
    h.client.resource(named).create();
    GracefulPolicy high = policy(ns, "high", WEB, 20, 10L);
    high.getSpec().setPriority(10L);
    h.client.resource(high).create();
    h.client.resource(policy(ns, "low", WEB, 5, 10L)).create();

    h.awaitDeployment(ns, "web", x -> hasHook(x, "app", sleep(20)));
    h.awaitDeployment(ns, "named", x -> hasHook(x, "app", sleep(5)));
    GracefulPolicy hs = h.awaitPolicy(ns, "high", x -> x.getStatus().getApplied() == 1 && x.getStatus().getConflicts() == 1);
    assertThat(hs.getStatus().getDeployments()).singleElement().satisfies(g -> {
      assertThat(g.getName()).isEqualTo("named");
      assertThat(g.getReason()).isEqualTo("GovernedByOtherPolicy");
    });
    GracefulPolicy ls = h.awaitPolicy(ns, "low", x -> x.getStatus().getApplied() == 1 && x.getStatus().getConflicts() == 1);
    assertThat(ls.getStatus().getMatched()).isEqualTo(2);
    // the loser never wrote: every write to "web" carries sleep 20
    assertThat(annotations(h.deployment(ns, "web"))).containsEntry(GracefulAnnotations.APPLIED_POLICY, "high");
  }

  @Test
  void anInvalidPolicyIsReportedAndChangesNothing() {
    String ns = h.newNamespace("invalid");
    Deployment original = h.client.resource(deployment(ns, "web", WEB, container("app"))).create();
    GracefulPolicy p = policy(ns, "web", WEB, 10, 20L);
    p.getSpec().setTerminationGracePeriodSeconds(15L); // < sleep + shutdown: the CEL rule a real server enforces
    p.getSpec().setMode("enforce");
    h.client.resource(p).create();
    GracefulPolicy s = h.awaitPolicy(ns, "web", x -> x.getStatus().getConditions().stream()
        .anyMatch(c -> c.getType().equals("Valid") && c.getStatus().equals("False")));
    assertThat(s.getStatus().getConditions()).filteredOn(c -> c.getType().equals("Valid")).singleElement()
        .satisfies(c -> {
          assertThat(c.getReason()).isEqualTo("InvalidSpec");
          assertThat(c.getMessage()).contains("terminationGracePeriodSeconds (15)").contains("case-sensitive");
        });
    assertThat(s.getStatus().getConditions()).filteredOn(c -> c.getType().equals("Ready"))
        .singleElement().satisfies(c -> assertThat(c.getStatus()).isEqualTo("False"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !h.events(ns, "web").isEmpty());
    assertThat(h.events(ns, "web")).anySatisfy(e -> {
      assertThat(e.getInvolvedObject().getKind()).isEqualTo("GracefulPolicy");
      assertThat(e.getReason()).isEqualTo("InvalidSpec");
    });
    assertThat(h.deploymentWrites(ns)).isEmpty();
    assertThat(h.deployment(ns, "web")).isEqualTo(original);
  }

  @Test
  void aPolicyEditReappliesTheNewValues() {
    String ns = h.newNamespace("edit-policy");
    h.client.resource(deployment(ns, "web", WEB, container("app"))).create();
    h.client.resource(policy(ns, "web", WEB, 10, 20L)).create();
    h.awaitDeployment(ns, "web", x -> hasHook(x, "app", sleep(10)));
    h.updatePolicy(ns, "web", spec -> spec.getPreStop().setSleepSeconds(25L));
    Deployment d = h.awaitDeployment(ns, "web", x -> hasHook(x, "app", sleep(25)));
    assertThat(tgps(d)).isEqualTo(45L);
    GracefulPolicy converged = h.awaitConverged(ns, "web");
    assertThat(converged.getStatus().getObservedGeneration()).isEqualTo(2L);
  }

  @Test
  void zeroWritesOnceConverged() throws InterruptedException {
    String ns = h.newNamespace("quiet");
    for (int i = 0; i < 5; i++) {
      h.client.resource(deployment(ns, "web-" + i, WEB, container("app"))).create();
    }
    h.client.resource(deployment(ns, "kept", WEB, container("app", exec("/bin/drain.sh")))).create();
    h.client.resource(policy(ns, "web", WEB, 10, 20L)).create();
    h.awaitPolicy(ns, "web", x -> x.getStatus().getApplied() == 5 && x.getStatus().getSkipped() == 1);
    Thread.sleep(2000);
    assertThat(h.operatorRequestsIn(ns)).as("reads come from the informer caches, never a GET of one Deployment")
        .noneMatch(r -> r.method().equals("GET") && r.path().matches(".*/deployments/[^/?]+(\\?.*)?"));
    int before = h.writesIn(ns).size();
    assertThat(h.deploymentWrites(ns)).hasSize(5);
    // touching a Deployment's metadata (no change to decide) must not cause writes either
    Deployment touched = h.deployment(ns, "web-0");
    touched.getMetadata().getLabels().put("team", "checkout");
    h.client.resource(touched).update();
    Thread.sleep(3000);
    assertThat(h.writesIn(ns).stream().filter(r -> !r.path().contains("/deployments/web-0")
        || r.method().equals("PATCH")).count() - before)
        .as("writes after convergence: %s", h.writesIn(ns).subList(before, h.writesIn(ns).size()))
        .isZero();
  }

  @Test
  void aFightWithAnotherWriterStopsAfterAFewAttemptsWithStateConflict() {
    String ns = h.newNamespace("fight");
    h.client.resource(deployment(ns, "web", WEB, container("app"))).create();
    h.client.resource(policy(ns, "web", WEB, 10, 20L)).create();
    int maxReapplies = OperatorConfig.defaults().maxReapplies();
    for (int round = 0; round <= maxReapplies; round++) {
      h.awaitDeployment(ns, "web", x -> hasHook(x, "app", sleep(10)));
      // "another controller" removes the hook again
      Deployment undo = h.deployment(ns, "web");
      undo.getSpec().getTemplate().getSpec().getContainers().get(0).setLifecycle(null);
      h.client.resource(undo).update();
    }
    GracefulPolicy p = h.awaitPolicy(ns, "web", x -> x.getStatus().getConflicts() == 1);
    assertThat(p.getStatus().getDeployments()).singleElement()
        .satisfies(g -> assertThat(g.getReason()).isEqualTo("FightingAnotherController"));
    int writes = h.deploymentWrites(ns).size();
    assertThat(writes).isEqualTo(1 + maxReapplies);
    assertThat(preStop(h.deployment(ns, "web"), "app")).isNull();
    await().atMost(Duration.ofSeconds(10)).until(() -> h.events(ns, "web").stream()
        .anyMatch(e -> e.getReason().equals("FightingAnotherController")));
  }

  @Test
  void anImageBumpBetweenTheOperatorsReadAndItsWriteIsKept() {
    String ns = h.newNamespace("race");
    Deployment stale = h.client.resource(deployment(ns, "web", Map.of("tier", "none"), container("app"))).create();
    GracefulPolicy p = policy(ns, "web", WEB, 10, 20L);
    // someone bumps the image after the operator's cache saw the Deployment
    Deployment bumped = h.deployment(ns, "web");
    bumped.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("registry.k8s.io/pause:3.11");
    h.client.resource(bumped).update();
    // the write the operator would send for the stale copy
    stale.getMetadata().setLabels(WEB);
    var plan = io.graceful.operator.core.WorkloadPlanner.plan(io.graceful.operator.core.Workload.of(stale),
        List.of(new io.graceful.operator.core.PolicySnapshot(ns, "web", "2026-01-01T00:00:00Z", 1, p.getSpec())),
        new io.graceful.operator.core.PlanningContext(true, 3));
    // judged on the server's answer to the write: the running operator would revert this synthetic change
    // afterwards (on the server nothing selects the Deployment)
    Deployment after = new io.graceful.operator.controller.WorkloadWriter(h.client).write(stale, plan);
    assertThat(after.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("registry.k8s.io/pause:3.11");
    assertThat(preStop(after, "app")).isEqualTo(sleep(10));
  }

  @Test
  void aLabelSelectorWithExpressionsIsEvaluatedByTheOperator() {
    String ns = h.newNamespace("expr");
    h.client.resource(deployment(ns, "a", Map.of("tier", "web", "env", "prod"), container("app"))).create();
    h.client.resource(deployment(ns, "b", Map.of("tier", "web", "env", "dev"), container("app"))).create();
    h.client.resource(deployment(ns, "c", Map.of("tier", "api"), container("app"))).create();
    GracefulPolicy p = policy(ns, "web", null, 3, 5L);
    p.getSpec().setSelector(new LabelSelectorBuilder()
        .addNewMatchExpression().withKey("tier").withOperator("In").withValues("web", "api").endMatchExpression()
        .addNewMatchExpression().withKey("env").withOperator("NotIn").withValues("dev").endMatchExpression()
        .build());
    h.client.resource(p).create();
    h.awaitDeployment(ns, "a", x -> hasHook(x, "app", sleep(3)));
    h.awaitDeployment(ns, "c", x -> hasHook(x, "app", sleep(3)));
    assertThat(h.awaitConverged(ns, "web").getStatus().getMatched()).isEqualTo(2);
    assertThat(preStop(h.deployment(ns, "b"), "app")).isNull();
  }

  @Test
  void deletingADeploymentUpdatesThePolicyStatus() {
    String ns = h.newNamespace("delete");
    h.client.resource(deployment(ns, "a", WEB, container("app"))).create();
    h.client.resource(deployment(ns, "b", WEB, container("app"))).create();
    h.client.resource(policy(ns, "web", WEB, 10, 20L)).create();
    h.awaitPolicy(ns, "web", p -> p.getStatus().getApplied() == 2);
    h.client.apps().deployments().inNamespace(ns).withName("b").delete();
    GracefulPolicy after = h.awaitPolicy(ns, "web", p -> p.getStatus().getMatched() == 1);
    assertThat(after.getStatus().getApplied()).isEqualTo(1);
  }

  @Test
  void aDeploymentNamingAMissingPolicyGetsAWarning() {
    String ns = h.newNamespace("missing");
    Deployment d = deployment(ns, "web", Map.of(), container("app"));
    d.getMetadata().setAnnotations(Map.of(GracefulAnnotations.POLICY, "nope"));
    h.client.resource(d).create();
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(h.events(ns, "web"))
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("PolicyNotFound")));
    assertThat(h.deploymentWrites(ns)).isEmpty();
  }
}
