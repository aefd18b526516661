package io.graceful.operator.it;

import static io.graceful.operator.it.Fixtures.clusterPolicy;
import static io.graceful.operator.it.Fixtures.container;
import static io.graceful.operator.it.Fixtures.deployment;
import static io.graceful.operator.it.Fixtures.policy;
import static io.graceful.operator.it.OperatorHarness.annotations;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.graceful.operator.api.v1alpha1.ClusterGracefulPolicy;
import io.graceful.operator.api.v1alpha1.DeploymentState;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.core.GracefulAnnotations;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ClusterGracefulPolicy against the CRUD mock API server, with the real operator watching every namespace: apply in
 * the namespaces its namespaceSelector selects, exact revert when a namespace stops matching or the policy is
 * deleted, audit, a fight, a namespaced override, the {@code cluster/<name>} annotation, and its cluster-wide status.
 * Each test labels namespaces of its own with a label no other test uses (the harness is shared).
 */
class ClusterGracefulPolicyOperatorTest {
  private static final Map<String, String> WEB = Map.of("tier", "web");
  private static final AtomicInteger IDS = new AtomicInteger();
  private static OperatorHarness h;

  @BeforeAll
  static void start() {
    h = new OperatorHarness("31", OperatorConfig.defaults());
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  /** A label key unique to the calling test, so its cluster policy selects its own namespaces only. */
  static Map<String, String> platformLabel() {
    return Map.of("platform.example/graceful-" + IDS.incrementAndGet(), "on");
  }

  static void label(OperatorHarness h, String ns, Map<String, String> labels) {
    h.client.namespaces().withName(ns).edit(n -> {
      Map<String, String> all = new HashMap<>(n.getMetadata().getLabels() == null ? Map.of()
          : n.getMetadata().getLabels());
      all.putAll(labels);
      n.getMetadata().setLabels(all);
      return n;
    });
  }

  static void unlabel(OperatorHarness h, String ns, Map<String, String> labels) {
    h.client.namespaces().withName(ns).edit(n -> {
      labels.keySet().forEach(n.getMetadata().getLabels()::remove);
      return n;
    });
  }

  static ClusterGracefulPolicy cgp(OperatorHarness h, String name) {
    return h.client.resources(ClusterGracefulPolicy.class).withName(name).get();
  }

  static ClusterGracefulPolicy awaitCgp(OperatorHarness h, String name, Predicate<ClusterGracefulPolicy> condition) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      ClusterGracefulPolicy p = cgp(h, name);
      return p != null && p.getStatus() != null && condition.test(p);
    });
    return cgp(h, name);
  }

  static LifecycleHandler sleep(long s) {
    return new LifecycleHandlerBuilder().withNewSleep().withSeconds(s).endSleep().build();
  }

  static LifecycleHandler preStop(Deployment d) {
    var c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    return c.getLifecycle() == null ? null : c.getLifecycle().getPreStop();
  }

  static boolean hasSleep(Deployment d, long s) {
    return sleep(s).equals(preStop(d));
  }

  /** Reverted exactly: the template the user wrote, and no annotation of the operator's left. */
  static boolean revertedTo(Deployment d, PodTemplateSpec original) {
    return original.equals(d.getSpec().getTemplate()) && annotations(d).keySet().stream()
        .noneMatch(k -> k.startsWith("graceful.io/"));
  }

  @Test
  void appliesInSelectedNamespacesOnlyCountsClusterWideAndRevertsExactlyWhenANamespaceStopsMatching() {
    Map<String, String> platform = platformLabel();
    String shop = h.newNamespace("cgp-shop");
    String blog = h.newNamespace("cgp-blog");
    String other = h.newNamespace("cgp-other");
    label(h, shop, platform);
    label(h, blog, platform);
    Deployment shopWeb = h.client.resource(deployment(shop, "web", WEB, container("app"))).create();
    h.client.resource(deployment(blog, "web", WEB, container("app"))).create();
    Deployment untouched = h.client.resource(deployment(other, "web", WEB, container("app"))).create();
    h.client.resource(clusterPolicy("platform-a", platform, WEB, 7, 20L)).create();

    for (String ns : List.of(shop, blog)) {
      Deployment d = h.awaitDeployment(ns, "web", x -> hasSleep(x, 7));
      assertThat(annotations(d)).containsEntry(GracefulAnnotations.APPLIED_POLICY, "cluster/platform-a");
    }
    ClusterGracefulPolicy p = awaitCgp(h, "platform-a", x -> x.getStatus().getApplied() == 2);
    assertThat(p.getStatus().getMatched()).isEqualTo(2);
    assertThat(p.getStatus().getObservedGeneration()).isEqualTo(p.getMetadata().getGeneration());
    assertThat(p.getStatus().getConditions()).anySatisfy(c -> {
      assertThat(c.getType()).isEqualTo("Ready");
      assertThat(c.getStatus()).isEqualTo("True");
    });
    assertThat(h.deployment(other, "web")).as("namespace not selected").isEqualTo(untouched);
    assertThat(h.deploymentWrites(shop)).hasSize(1);
    assertThat(h.events(shop, "web")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo("HookApplied");
      assertThat(e.getMessage()).contains("cluster/platform-a");
    });
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(h.operator.metrics().scrape())
        .containsPattern("graceful_deployments\\{[^}]*namespace=\"\",policy=\"cluster/platform-a\",state=\"Applied\""
            + "[^}]*\\} 2\\.0"));
    String readyAt = p.getStatus().getConditions().get(0).getLastTransitionTime();

    unlabel(h, shop, platform);
    Deployment reverted = h.awaitDeployment(shop, "web", d -> revertedTo(d, shopWeb.getSpec().getTemplate()));
    assertThat(h.events(shop, "web")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Reverted"));
    assertThat(h.deploymentWrites(shop)).as("one write to apply, one to revert").hasSize(2);
    assertThat(reverted.getSpec().getTemplate()).isEqualTo(shopWeb.getSpec().getTemplate());
    ClusterGracefulPolicy after = awaitCgp(h, "platform-a", x -> x.getStatus().getMatched() == 1);
    assertThat(after.getStatus().getConditions().get(0).getLastTransitionTime()).as("Ready stayed True")
        .isEqualTo(readyAt);
    assertThat(hasSleep(h.deployment(blog, "web"), 7)).isTrue();
    h.client.resource(cgp(h, "platform-a")).delete();
  }

  @Test
  void deletingTheClusterPolicyRevertsEverythingItAppliedAndNothingElse() {
    Map<String, String> platform = platformLabel();
    String a = h.newNamespace("cgp-del-a");
    String b = h.newNamespace("cgp-del-b");
    label(h, a, platform);
    label(h, b, platform);
    Deployment aWeb = h.client.resource(deployment(a, "web", WEB, container("app"))).create();
    Deployment bWeb = h.client.resource(deployment(b, "web", WEB, container("app"))).create();
    h.client.resource(deployment(b, "own", Map.of("tier", "own"), container("app"))).create();
    h.client.resource(policy(b, "own", Map.of("tier", "own"), 3, 5L)).create();
    h.client.resource(clusterPolicy("platform-del", platform, WEB, 9, 20L)).create();
    h.awaitDeployment(a, "web", x -> hasSleep(x, 9));
    h.awaitDeployment(b, "web", x -> hasSleep(x, 9));
    h.awaitDeployment(b, "own", x -> hasSleep(x, 3));

    h.client.resource(cgp(h, "platform-del")).delete();
    h.awaitDeployment(a, "web", d -> revertedTo(d, aWeb.getSpec().getTemplate()));
    h.awaitDeployment(b, "web", d -> revertedTo(d, bWeb.getSpec().getTemplate()));
    assertThat(hasSleep(h.deployment(b, "own"), 3)).as("the namespaced policy's change stays").isTrue();
    assertThat(h.deploymentWrites(a)).hasSize(2);
  }

  @Test
  void aNamespacedPolicyOverridesItAndTheClusterPolicyListsTheWorkloadAsOverridden() {
    Map<String, String> platform = platformLabel();
    String ns = h.newNamespace("cgp-override");
    label(h, ns, platform);
    h.client.resource(deployment(ns, "checkout", WEB, container("app"))).create();
    h.client.resource(deployment(ns, "cart", WEB, container("app"))).create();
    h.client.resource(policy(ns, "checkout", Map.of("app", "checkout"), 15, 10L)).create();
    Deployment checkout = h.deployment(ns, "checkout");
    checkout.getMetadata().setLabels(Map.of("tier", "web", "app", "checkout"));
    h.client.resource(checkout).update();
    ClusterGracefulPolicy base = clusterPolicy("platform-override", platform, WEB, 5, 20L);
    base.getSpec().setPriority(100L);
    h.client.resource(base).create();

    h.awaitDeployment(ns, "checkout", x -> hasSleep(x, 15) && "checkout".equals(annotations(x)
        .get(GracefulAnnotations.APPLIED_POLICY)));
    h.awaitDeployment(ns, "cart", x -> hasSleep(x, 5));
    ClusterGracefulPolicy p = awaitCgp(h, "platform-override", x -> x.getStatus().getSkipped() == 1
        && x.getStatus().getApplied() == 1);
    assertThat(p.getStatus().getConflicts()).as("an override is no conflict").isZero();
    assertThat(p.getStatus().getDeployments()).singleElement().satisfies(g -> {
      assertThat(g.getNamespace()).isEqualTo(ns);
      assertThat(g.getKind()).isEqualTo("Deployment");
      assertThat(g.getName()).isEqualTo("checkout");
      assertThat(g.getState()).isEqualTo(DeploymentState.Skipped);
      assertThat(g.getReason()).isEqualTo("OverriddenByNamespacePolicy");
    });
    GracefulPolicy namespaced = h.awaitPolicy(ns, "checkout", x -> x.getStatus().getApplied() == 1);
    assertThat(namespaced.getStatus().getConflicts()).isZero();
    assertThat(namespaced.getStatus().getDeployments()).as("a GracefulPolicy's entries name no namespace")
        .allSatisfy(g -> assertThat(g.getNamespace()).isNull());
    h.client.resource(cgp(h, "platform-override")).delete();
  }

  @Test
  void theAnnotationNamesAClusterPolicyAsClusterSlashName() {
    Map<String, String> platform = platformLabel();
    String ns = h.newNamespace("cgp-named");
    label(h, ns, platform);
    Deployment named = deployment(ns, "named", Map.of("tier", "none"), container("app"));
    named.getMetadata().setAnnotations(Map.of(GracefulAnnotations.POLICY, "cluster/platform-named"));
    h.client.resource(named).create();
    h.client.resource(clusterPolicy("platform-named", platform, null, 4, 20L)).create();

    Deployment d = h.awaitDeployment(ns, "named", x -> hasSleep(x, 4));
    assertThat(annotations(d)).containsEntry(GracefulAnnotations.APPLIED_POLICY, "cluster/platform-named");
    awaitCgp(h, "platform-named", x -> x.getStatus().getApplied() == 1);
    h.client.resource(cgp(h, "platform-named")).delete();
  }

  @Test
  void auditModeWritesNothingAndListsTheWorkloadWithItsNamespace() {
    Map<String, String> platform = platformLabel();
    String ns = h.newNamespace("cgp-audit");
    label(h, ns, platform);
    Deployment web = h.client.resource(deployment(ns, "web", WEB, container("app"))).create();
    ClusterGracefulPolicy audit = clusterPolicy("platform-audit", platform, WEB, 6, 20L);
    audit.getSpec().setMode("Audit");
    h.client.resource(audit).create();

    ClusterGracefulPolicy p = awaitCgp(h, "platform-audit", x -> x.getStatus().getAudit() == 1);
    assertThat(p.getStatus().getDeployments()).singleElement().satisfies(g -> {
      assertThat(g.getNamespace()).isEqualTo(ns);
      assertThat(g.getState()).isEqualTo(DeploymentState.Audit);
    });
    assertThat(h.deploymentWrites(ns)).isEmpty();
    assertThat(h.deployment(ns, "web")).isEqualTo(web);
    h.client.resource(cgp(h, "platform-audit")).delete();
  }

  @Test
  void aFightWithAnotherWriterStopsWithStateConflictOnTheClusterPolicy() {
    Map<String, String> platform = platformLabel();
    String ns = h.newNamespace("cgp-fight");
    label(h, ns, platform);
    h.client.resource(deployment(ns, "web", WEB, container("app"))).create();
    h.client.resource(clusterPolicy("platform-fight", platform, WEB, 8, 20L)).create();
    int maxReapplies = OperatorConfig.defaults().maxReapplies();
    for (int round = 0; round <= maxReapplies; round++) {
      h.awaitDeployment(ns, "web", x -> hasSleep(x, 8));
      Deployment undo = h.deployment(ns, "web");
      undo.getSpec().getTemplate().getSpec().getContainers().get(0).setLifecycle(null);
      h.client.resource(undo).update();
    }
    ClusterGracefulPolicy p = awaitCgp(h, "platform-fight", x -> x.getStatus().getConflicts() == 1);
    assertThat(p.getStatus().getDeployments()).singleElement().satisfies(g -> {
      assertThat(g.getNamespace()).isEqualTo(ns);
      assertThat(g.getReason()).isEqualTo("FightingAnotherController");
    });
    assertThat(h.deploymentWrites(ns)).hasSize(1 + maxReapplies);
    assertThat(preStop(h.deployment(ns, "web"))).isNull();
    h.client.resource(cgp(h, "platform-fight")).delete();
  }

  /** The rollout budget paces a cluster policy's applies and its reverts alike (one operator, cap 1). */
  @Test
  void theRolloutBudgetPacesAppliesAndTheRevertsOfANamespaceThatStopsMatching() {
    try (OperatorHarness paced = new OperatorHarness("31", OperatorConfig.defaults()
        .withMaxConcurrentRollouts(1, 0))) {
      Map<String, String> platform = platformLabel();
      String ns = paced.newNamespace("cgp-budget");
      label(paced, ns, platform);
      Map<String, PodTemplateSpec> originals = new HashMap<>();
      for (int i = 0; i < 3; i++) {
        Deployment d = deployment(ns, "web-" + i, WEB, container("app"));
        d.getSpec().setReplicas(2);
        Deployment created = paced.client.resource(d).create();
        created.setStatus(FakeDeploymentController.settled(created));
        paced.client.apps().deployments().inNamespace(ns).resource(created).updateStatus();
        originals.put("web-" + i, created.getSpec().getTemplate());
      }
      try (FakeDeploymentController kube = new FakeDeploymentController(paced.client, ns,
          Duration.ofMillis(500))) {
        paced.client.resource(clusterPolicy("platform-budget", platform, WEB, 6, 20L)).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> originals.keySet().stream()
            .allMatch(n -> hasSleep(paced.deployment(ns, n), 6)));
        assertThat(kube.maxInProgress()).as("rollouts at once while applying").isEqualTo(1);
      }
      try (FakeDeploymentController kube = new FakeDeploymentController(paced.client, ns,
          Duration.ofMillis(500))) {
        unlabel(paced, ns, platform);
        await().atMost(Duration.ofSeconds(60)).until(() -> originals.entrySet().stream()
            .allMatch(e -> revertedTo(paced.deployment(ns, e.getKey()), e.getValue())));
        assertThat(kube.maxInProgress()).as("rollouts at once while reverting").isEqualTo(1);
      }
    }
  }
}
