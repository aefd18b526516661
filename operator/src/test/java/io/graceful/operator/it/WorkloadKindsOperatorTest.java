package io.graceful.operator.it;

import static io.graceful.operator.it.Fixtures.container;
import static io.graceful.operator.it.Fixtures.daemonSet;
import static io.graceful.operator.it.Fixtures.deployment;
import static io.graceful.operator.it.Fixtures.policy;
import static io.graceful.operator.it.Fixtures.statefulSet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.graceful.operator.api.v1alpha1.GovernedDeployment;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.core.GracefulAnnotations;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * StatefulSets and DaemonSets against the mock API server: governed only when the policy lists their kind, one
 * JSON Patch per change on the right resource, exact revert, audit writes nothing, a fight stops, OnDelete takes no
 * rollout slot, the rollout budget counts every kind (a StatefulSet and a Deployment of one name are two
 * workloads), and start-up names a kind it may not list.
 */
class WorkloadKindsOperatorTest {
  private static final Map<String, String> DB = Map.of("tier", "db");
  private OperatorHarness h;

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  private StatefulSet sts(String ns, String name) {
    return h.client.apps().statefulSets().inNamespace(ns).withName(name).get();
  }

  private DaemonSet ds(String ns, String name) {
    return h.client.apps().daemonSets().inNamespace(ns).withName(name).get();
  }

  private static boolean applied(HasMetadata r) {
    return r.getMetadata().getAnnotations() != null
        && r.getMetadata().getAnnotations().containsKey(GracefulAnnotations.APPLIED_POLICY);
  }

  private List<MockApiServer.Request> patches(String ns, String plural) {
    return h.api.requests(r -> r.fromOperator() && r.method().equals("PATCH")
        && r.path().contains("/namespaces/" + ns + "/" + plural + "/"));
  }

  /** A StatefulSet whose pods run its current template, as its controller would report it. */
  private StatefulSet runningSts(StatefulSet s) {
    int replicas = s.getSpec().getReplicas();
    String revision = s.getMetadata().getName() + "-" + s.getMetadata().getGeneration();
    s.setStatus(new StatefulSetStatusBuilder().withObservedGeneration(s.getMetadata().getGeneration())
        .withReplicas(replicas).withReadyReplicas(replicas).withUpdatedReplicas(replicas)
        .withCurrentRevision(revision).withUpdateRevision(revision).build());
    return h.client.apps().statefulSets().inNamespace(s.getMetadata().getNamespace()).resource(s).updateStatus();
  }

  private DaemonSet runningDs(DaemonSet d) {
    d.setStatus(new DaemonSetStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
        .withDesiredNumberScheduled(1).withCurrentNumberScheduled(1).withUpdatedNumberScheduled(1)
        .withNumberAvailable(1).withNumberReady(1).build());
    return h.client.apps().daemonSets().inNamespace(d.getMetadata().getNamespace()).resource(d).updateStatus();
  }

  @Test
  void aStatefulSetIsAppliedWithOneWriteAndRevertedExactlyOnOptOut() {
    h = new OperatorHarness("31", OperatorConfig.defaults());
    String ns = h.newNamespace("sts");
    StatefulSet created = h.client.resource(statefulSet(ns, "db", DB, "RollingUpdate", container("db"))).create();
    runningSts(created);
    PodTemplateSpec original = sts(ns, "db").getSpec().getTemplate();
    // a Deployment with the same name and labels is another workload, and this policy does not govern Deployments
    h.client.resource(deployment(ns, "db", DB, container("cache"))).create();
    h.client.resource(policy(ns, "db", DB, 5, 20L, "StatefulSet")).create();

    await().atMost(Duration.ofSeconds(30)).until(() -> applied(sts(ns, "db")));
    StatefulSet after = sts(ns, "db");
    assertThat(after.getSpec().getTemplate().getSpec().getContainers().get(0).getLifecycle().getPreStop()
        .getSleep().getSeconds()).isEqualTo(5);
    assertThat(after.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .as("sleep 5 + shutdown 20 fits the default 30: not raised (R2)").isNull();
    assertThat(after.getMetadata().getAnnotations()).as("a rollout that restarts pods holds a slot")
        .containsKey(GracefulAnnotations.ROLLOUT);
    GracefulPolicy status = h.awaitPolicy(ns, "db", p -> p.getStatus().getMatched() == 1
        && p.getStatus().getPending() == 0 && p.getStatus().getApplied() == 1);
    assertThat(status.getStatus().getDeployments()).isEmpty();
    assertThat(patches(ns, "statefulsets")).hasSize(1);
    assertThat(patches(ns, "deployments")).isEmpty();
    assertThat(applied(h.deployment(ns, "db"))).isFalse();
    await().atMost(Duration.ofSeconds(10)).until(() -> h.events(ns, "db").stream().anyMatch(e ->
        e.getReason().equals("HookApplied") && "StatefulSet".equals(e.getInvolvedObject().getKind())));

    StatefulSet optOut = sts(ns, "db");
    optOut.getMetadata().getAnnotations().put(GracefulAnnotations.ENABLED, "false");
    h.client.resource(optOut).update();
    await().atMost(Duration.ofSeconds(30)).until(() -> !applied(sts(ns, "db")));
    StatefulSet reverted = sts(ns, "db");
    assertThat(reverted.getSpec().getTemplate()).isEqualTo(original);
    assertThat(patches(ns, "statefulsets")).hasSize(2);
  }

  @Test
  void aDaemonSetIsAppliedOnlyWhenItsKindIsListedAndAuditWritesNothing() {
    h = new OperatorHarness("31", OperatorConfig.defaults());
    String ns = h.newNamespace("ds");
    runningDs(h.client.resource(daemonSet(ns, "proxy", DB, "RollingUpdate", container("envoy"))).create());
    runningDs(h.client.resource(daemonSet(ns, "audited", Map.of("tier", "audited"), "RollingUpdate",
        container("agent"))).create());
    GracefulPolicy defaults = policy(ns, "deployments-only", DB, 5, 10L);
    h.client.resource(defaults).create();
    GracefulPolicy audit = policy(ns, "audit", Map.of("tier", "audited"), 5, 10L, "DaemonSet");
    audit.getSpec().setMode("Audit");
    h.client.resource(audit).create();

    GracefulPolicy none = h.awaitConverged(ns, "deployments-only");
    assertThat(none.getStatus().getMatched()).as("the default kinds are [Deployment]").isZero();
    GracefulPolicy audited = h.awaitPolicy(ns, "audit", p -> p.getStatus().getAudit() == 1);
    assertThat(audited.getStatus().getDeployments()).singleElement().satisfies(g -> {
      assertThat(g.getKind()).isEqualTo("DaemonSet");
      assertThat(g.getReason()).isEqualTo("WouldChange");
    });

    h.updatePolicy(ns, "deployments-only", s -> s.setWorkloads(List.of("Deployment", "DaemonSet")));
    await().atMost(Duration.ofSeconds(30)).until(() -> applied(ds(ns, "proxy")));
    h.awaitPolicy(ns, "deployments-only", p -> p.getStatus().getApplied() == 1);
    assertThat(patches(ns, "daemonsets")).as("one write, none for the audited one").hasSize(1)
        .allSatisfy(r -> assertThat(r.path()).contains("/daemonsets/proxy"));

    // the kind taken off the list again: the change is reverted exactly
    h.updatePolicy(ns, "deployments-only", s -> s.setWorkloads(List.of("Deployment")));
    await().atMost(Duration.ofSeconds(30)).until(() -> !applied(ds(ns, "proxy")));
    assertThat(ds(ns, "proxy").getSpec().getTemplate().getSpec().getContainers().get(0).getLifecycle()).isNull();
    assertThat(ds(ns, "proxy").getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isNull();
  }

  @Test
  void onDeleteIsAppliedWithoutARolloutSlotAndSaysItAppliesOnTheNextRestart() {
    h = new OperatorHarness("31", OperatorConfig.defaults().withMaxConcurrentRollouts(1, 0));
    String ns = h.newNamespace("ondelete");
    StatefulSet created = h.client.resource(statefulSet(ns, "broker", DB, "OnDelete", container("broker")))
        .create();
    runningSts(created);
    h.client.resource(policy(ns, "db", DB, 5, 10L, "StatefulSet")).create();

    await().atMost(Duration.ofSeconds(30)).until(() -> applied(sts(ns, "broker")));
    StatefulSet written = sts(ns, "broker");
    assertThat(written.getMetadata().getAnnotations()).doesNotContainKey(GracefulAnnotations.ROLLOUT);
    // its controller notices the new revision; no pod was restarted
    written.setStatus(new StatefulSetStatusBuilder(written.getStatus())
        .withObservedGeneration(written.getMetadata().getGeneration()).withUpdatedReplicas(0)
        .withUpdateRevision("broker-new").build());
    h.client.apps().statefulSets().inNamespace(ns).resource(written).updateStatus();
    GracefulPolicy status = h.awaitPolicy(ns, "db", p -> p.getStatus().getDeployments().stream()
        .anyMatch(g -> "AppliesOnNextRestart".equals(g.getReason())));
    assertThat(status.getStatus().getApplied()).isEqualTo(1);
    assertThat(patches(ns, "statefulsets")).hasSize(1);
  }

  @Test
  void theRolloutBudgetCountsEveryKindAndTellsSameNamedWorkloadsApart() {
    h = new OperatorHarness("31", OperatorConfig.defaults().withMaxConcurrentRollouts(1, 0));
    String ns = h.newNamespace("budget");
    Map<String, String> web = new HashMap<>(DB);
    Deployment d = h.client.resource(deployment(ns, "web", web, container("app"))).create();
    d.setStatus(FakeDeploymentController.settled(d));
    h.client.apps().deployments().inNamespace(ns).resource(d).updateStatus();
    runningSts(h.client.resource(statefulSet(ns, "web", web, "RollingUpdate", container("app"))).create());
    runningDs(h.client.resource(daemonSet(ns, "web", web, "RollingUpdate", container("app"))).create());
    h.client.resource(policy(ns, "all", DB, 5, 10L, "Deployment", "StatefulSet", "DaemonSet")).create();

    // one slot: one of the three is written, the other two wait, each listed with its kind
    GracefulPolicy waiting = h.awaitPolicy(ns, "all", p -> p.getStatus().getDeployments().stream()
        .filter(g -> "WaitingForRolloutBudget".equals(g.getReason())).count() == 2);
    assertThat(waiting.getStatus().getDeployments()).extracting(GovernedDeployment::getName).containsOnly("web");
    // the status can list the two waiting ones before the admitted one's write has landed
    await().atMost(Duration.ofSeconds(10)).until(() -> inFlight(ns).size() == 1);
    for (int done = 1; done <= 3; done++) {
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
          .until(() -> inFlight(ns).size() <= 1);
      int finished = done;
      await().atMost(Duration.ofSeconds(30)).until(() -> appliedCount(ns) >= finished);
      assertThat(appliedCount(ns)).as("never more than one rollout at once").isEqualTo(done);
      finishRollouts(ns);
    }
    GracefulPolicy converged = h.awaitConverged(ns, "all");
    assertThat(converged.getStatus().getApplied()).isEqualTo(3);
    assertThat(patches(ns, "deployments")).hasSize(1);
    assertThat(patches(ns, "statefulsets")).hasSize(1);
    assertThat(patches(ns, "daemonsets")).hasSize(1);
  }

  /** A StatefulSet or a DaemonSet named {@code name} in {@code ns}, running, selected by {@link #DB}. */
  private HasMetadata createRunning(String kind, String ns, String name) {
    if (kind.equals("StatefulSet")) {
      return runningSts(h.client.resource(statefulSet(ns, name, DB, "RollingUpdate", container("app"))).create());
    }
    return runningDs(h.client.resource(daemonSet(ns, name, DB, "RollingUpdate", container("app"))).create());
  }

  private PodTemplateSpec template(String kind, String ns, String name) {
    return kind.equals("StatefulSet") ? sts(ns, name).getSpec().getTemplate() : ds(ns, name).getSpec().getTemplate();
  }

  private static String plural(String kind) {
    return kind.equals("StatefulSet") ? "statefulsets" : "daemonsets";
  }

  @ParameterizedTest
  @ValueSource(strings = {"StatefulSet", "DaemonSet"})
  void aFightStopsAfterAFewAttemptsWithStateConflict(String kind) {
    h = new OperatorHarness("31", OperatorConfig.defaults());
    String ns = h.newNamespace("fight");
    createRunning(kind, ns, "app");
    h.client.resource(policy(ns, "edge", DB, 5, 10L, kind)).create();
    int maxReapplies = OperatorConfig.defaults().maxReapplies();
    for (int round = 0; round <= maxReapplies; round++) {
      await().atMost(Duration.ofSeconds(30)).until(() -> template(kind, ns, "app").getSpec()
          .getContainers().get(0).getLifecycle() != null);
      // "another controller" removes the hook again
      HasMetadata undo = kind.equals("StatefulSet") ? sts(ns, "app") : ds(ns, "app");
      PodTemplateSpec t = undo instanceof StatefulSet x ? x.getSpec().getTemplate()
          : ((DaemonSet) undo).getSpec().getTemplate();
      t.getSpec().getContainers().get(0).setLifecycle(null);
      h.client.resource(undo).update();
    }
    GracefulPolicy p = h.awaitPolicy(ns, "edge", x -> x.getStatus().getConflicts() == 1);
    assertThat(p.getStatus().getDeployments()).singleElement().satisfies(g -> {
      assertThat(g.getKind()).isEqualTo(kind);
      assertThat(g.getReason()).isEqualTo("FightingAnotherController");
    });
    assertThat(patches(ns, plural(kind))).hasSize(1 + maxReapplies);
    await().atMost(Duration.ofSeconds(10)).until(() -> h.events(ns, "app").stream()
        .anyMatch(e -> e.getReason().equals("FightingAnotherController")));
    // every reconciliation that finds the fight counts: at least one, and only for this kind
    assertThat(h.operator.metrics().scrape())
        .containsPattern("graceful_conflicts_stopped_total\\{kind=\"" + kind + "\"} [1-9]")
        .contains("graceful_conflicts_stopped_total{kind=\"Deployment\"} 0.0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"StatefulSet", "DaemonSet"})
  void auditModeReportsWhatWouldChangeAndWritesNothing(String kind) {
    h = new OperatorHarness("31", OperatorConfig.defaults());
    String ns = h.newNamespace("audit");
    createRunning(kind, ns, "app");
    GracefulPolicy audit = policy(ns, "audit", DB, 5, 10L, kind);
    audit.getSpec().setMode("Audit");
    h.client.resource(audit).create();

    GracefulPolicy audited = h.awaitPolicy(ns, "audit", p -> p.getStatus().getAudit() == 1);
    assertThat(audited.getStatus().getDeployments()).singleElement().satisfies(g -> {
      assertThat(g.getKind()).isEqualTo(kind);
      assertThat(g.getReason()).isEqualTo("WouldChange");
    });
    // the policy switched to Enforce: exactly one write, then back to Audit: the change is reverted exactly
    h.updatePolicy(ns, "audit", spec -> spec.setMode("Enforce"));
    await().atMost(Duration.ofSeconds(30)).until(() -> template(kind, ns, "app").getSpec().getContainers().get(0)
        .getLifecycle() != null);
    assertThat(patches(ns, plural(kind))).hasSize(1);
    h.updatePolicy(ns, "audit", spec -> spec.setMode("Audit"));
    await().atMost(Duration.ofSeconds(30)).until(() -> template(kind, ns, "app").getSpec().getContainers().get(0)
        .getLifecycle() == null);
    assertThat(template(kind, ns, "app").getSpec().getTerminationGracePeriodSeconds()).isNull();
    assertThat(patches(ns, plural(kind))).hasSize(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"StatefulSet", "DaemonSet"})
  void aRefusedWriteIsNamedWithItsKindInTheStatusAndRetriedUntilItLands(String kind) {
    h = new OperatorHarness("31", OperatorConfig.defaults().withRetryMaxDelay(Duration.ofSeconds(2)));
    String ns = h.newNamespace("refused");
    String message = "admission webhook \"policy.example.com\" denied the request: lifecycle hooks are not allowed";
    h.api.inject(r -> r.method().equals("PATCH") && r.path().contains("/" + plural(kind) + "/")
        ? MockApiServer.status(422, "Invalid", message) : null);
    createRunning(kind, ns, "app");
    h.client.resource(policy(ns, "web", DB, 5, 10L, kind)).create();

    GracefulPolicy failing = h.awaitPolicy(ns, "web", p -> WriteOutageTest.condition(p, "WritesFailing")
        .map(c -> c.getStatus().equals("True")).orElse(false));
    assertThat(WriteOutageTest.condition(failing, "WritesFailing").orElseThrow().getMessage())
        .contains(kind + " app (422: " + message + ")");
    assertThat(h.operator.metrics().scrape())
        .containsPattern("graceful_write_failures_total\\{code=\"422\",kind=\"" + kind + "\"} [1-9]")
        .contains("graceful_deployments_write_failing{kind=\"" + kind + "\"} 1.0");

    h.api.healed();
    await().atMost(Duration.ofSeconds(30)).until(() -> template(kind, ns, "app").getSpec().getContainers().get(0)
        .getLifecycle() != null);
    h.awaitPolicy(ns, "web", p -> WriteOutageTest.condition(p, "WritesFailing")
        .map(c -> c.getStatus().equals("False")).orElse(false) && p.getStatus().getApplied() == 1);
    assertThat(h.operator.metrics().scrape()).contains("graceful_deployments_write_failing{kind=\"" + kind + "\"} 0.0")
        .contains("graceful_writes_total{change=\"apply\",kind=\"" + kind + "\"} 1.0");
  }

  @Test
  void startUpWithoutPermissionToListAKindFailsNamingIt() {
    String user = "system:serviceaccount:graceful-system:graceful-operator";
    for (String plural : List.of("statefulsets", "daemonsets")) {
      try (MockApiServer api = new MockApiServer("31")) {
        api.deny("GET", "/apis/apps/v1/" + plural, user, "list", plural, "apps");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.graceful.operator.runtime.Preflight.check(
                api.operatorClient(), java.util.Set.of()))
            .isInstanceOf(io.graceful.operator.runtime.StartFailedException.class)
            .hasMessageContaining("may not list " + plural + ".apps in all namespaces");
      }
    }
  }

  /** The workloads whose operator rollout has not finished: written, status behind the new generation. */
  private List<String> inFlight(String ns) {
    List<String> out = new java.util.ArrayList<>();
    Deployment d = h.deployment(ns, "web");
    if (applied(d) && d.getStatus().getObservedGeneration() < d.getMetadata().getGeneration()) {
      out.add("Deployment");
    }
    StatefulSet s = sts(ns, "web");
    if (applied(s) && s.getStatus().getObservedGeneration() < s.getMetadata().getGeneration()) {
      out.add("StatefulSet");
    }
    DaemonSet x = ds(ns, "web");
    if (applied(x) && x.getStatus().getObservedGeneration() < x.getMetadata().getGeneration()) {
      out.add("DaemonSet");
    }
    return out;
  }

  private int appliedCount(String ns) {
    return (applied(h.deployment(ns, "web")) ? 1 : 0) + (applied(sts(ns, "web")) ? 1 : 0)
        + (applied(ds(ns, "web")) ? 1 : 0);
  }

  /**
   * Stands in for the kinds' controllers: every workload written so far finishes its rollout. All three are read
   * before any status is written: finishing one frees the slot, and a workload the operator writes in that moment
   * must stay in flight (finishing it too would let the next one start, and the test would see two rollouts).
   */
  private void finishRollouts(String ns) {
    Deployment d = h.deployment(ns, "web");
    StatefulSet s = sts(ns, "web");
    DaemonSet x = ds(ns, "web");
    if (applied(d)) {
      d.setStatus(FakeDeploymentController.settled(d));
      h.client.apps().deployments().inNamespace(ns).resource(d).updateStatus();
    }
    if (applied(s)) {
      runningSts(s);
    }
    if (applied(x)) {
      runningDs(x);
    }
  }
}
