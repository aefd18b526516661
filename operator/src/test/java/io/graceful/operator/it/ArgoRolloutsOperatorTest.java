package io.graceful.operator.it;

import static io.graceful.operator.it.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.graceful.operator.api.argo.ArgoRollout;
import io.graceful.operator.api.argo.RolloutStatus;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.core.GracefulAnnotations;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Argo Rollouts against the mock API server: while the CRD is missing a policy listing Rollout says so and nothing
 * fails; the CRD installed at runtime is noticed without a restart; a Rollout is applied with one JSON Patch on
 * rollouts.argoproj.io, reverted exactly on opt-out, left alone in audit mode; deleting the CRD stops the Rollout
 * controller and the operator stays live. A fight over a Rollout stops like any other, and a Rollout and a
 * Deployment of one name share the rollout slot as two workloads: the second waits until the first one's controller
 * reports the new generation rolled out.
 */
class ArgoRolloutsOperatorTest {
  private static final Map<String, String> WEB = Map.of("tier", "web");
  private static final Duration NOTICED = Duration.ofSeconds(40);
  private OperatorHarness h;

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  static CustomResourceDefinition crd(io.fabric8.kubernetes.client.KubernetesClient client) throws IOException {
    try (InputStream in = ArgoRolloutsOperatorTest.class.getResourceAsStream("/argo/rollouts-crd.yaml")) {
      return client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
    }
  }

  static ArgoRollout rollout(String ns, String name, Map<String, String> labels) {
    ArgoRollout r = new ArgoRollout();
    r.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withNamespace(ns).withName(name)
        .withLabels(labels).build());
    io.graceful.operator.api.argo.RolloutSpec spec = new io.graceful.operator.api.argo.RolloutSpec();
    spec.setReplicas(2);
    spec.setTemplate(new io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder().withNewMetadata()
        .withLabels(Map.of("app", name)).endMetadata().withNewSpec().addToContainers(Fixtures.container("app"))
        .endSpec().build());
    r.setSpec(spec);
    return r;
  }

  private ArgoRollout get(String ns, String name) {
    return h.client.resources(ArgoRollout.class).inNamespace(ns).withName(name).get();
  }

  /** Running pods, as Argo's controller would report them (the mock runs no controller). */
  private void healthy(ArgoRollout r) {
    RolloutStatus s = new RolloutStatus();
    s.setPhase("Healthy");
    long g = r.getMetadata().getGeneration() == null ? 0 : r.getMetadata().getGeneration();
    s.setObservedGeneration(Long.toString(g));
    s.setReplicas(2);
    s.setUpdatedReplicas(2);
    s.setReadyReplicas(2);
    s.setAvailableReplicas(2);
    r.setStatus(s);
    h.client.resources(ArgoRollout.class).inNamespace(r.getMetadata().getNamespace()).resource(r).updateStatus();
  }

  private static boolean applied(ArgoRollout r) {
    return r != null && r.getMetadata().getAnnotations() != null
        && r.getMetadata().getAnnotations().containsKey(GracefulAnnotations.APPLIED_POLICY);
  }

  private List<MockApiServer.Request> patches(String ns) {
    return h.api.requests(r -> r.fromOperator() && r.method().equals("PATCH")
        && r.path().startsWith("/apis/argoproj.io/v1alpha1/namespaces/" + ns + "/rollouts/"));
  }

  private static String validMessage(GracefulPolicy p) {
    return p.getStatus() == null || p.getStatus().getConditions() == null ? "" : p.getStatus().getConditions()
        .stream().filter(c -> c.getType().equals("Valid")).map(c -> c.getMessage()).findFirst().orElse("");
  }

  @Test
  void rolloutsAreGovernedOnceTheCrdAppearsAndNoLongerOnceItGoes() throws IOException {
    h = new OperatorHarness("31", OperatorConfig.defaults());
    String ns = h.newNamespace("argo");
    h.client.resource(policy(ns, "web", WEB, 5, 20L, "Deployment", "Rollout")).create();
    h.awaitPolicy(ns, "web", p -> validMessage(p).equals("the spec is valid; Rollout is not governed now: the CRD "
        + "rollouts.argoproj.io (Argo Rollouts) is not installed; Rollouts are governed once it is"));
    assertThat(h.operator.isLive()).isTrue();

    h.client.resource(crd(h.client)).create();
    h.awaitPolicy(ns, "web", p -> validMessage(p).equals("the spec is valid"));
    // the CRD just appeared and the informer is running: a new Rollout is seen through its watch
    // not selected until it runs pods: the original template is read before the operator can write it
    ArgoRollout created = h.client.resource(rollout(ns, "checkout", Map.of("tier", "staging"))).create();
    healthy(created);
    PodTemplateSpec original = get(ns, "checkout").getSpec().getTemplate();
    h.client.resources(ArgoRollout.class).inNamespace(ns).withName("checkout")
        .edit(r -> {
          r.getMetadata().setLabels(WEB);
          return r;
        });
    await().atMost(NOTICED).until(() -> applied(get(ns, "checkout")));
    ArgoRollout after = get(ns, "checkout");
    assertThat(after.getSpec().getTemplate().getSpec().getContainers().get(0).getLifecycle().getPreStop()
        .getSleep().getSeconds()).isEqualTo(5);
    assertThat(patches(ns)).as("one JSON Patch on the Rollout (R5)").hasSize(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> h.events(ns, "checkout").stream().anyMatch(e ->
        e.getReason().equals("HookApplied") && "Rollout".equals(e.getInvolvedObject().getKind())));
    h.awaitPolicy(ns, "web", p -> p.getStatus().getMatched() == 1 && p.getStatus().getApplied() == 1);

    // audit: a policy in Audit mode over another Rollout computes and reports, and writes nothing (R9)
    GracefulPolicy audit = policy(ns, "audit", Map.of("tier", "audited"), 5, 20L, "Rollout");
    audit.getSpec().setMode("Audit");
    h.client.resource(audit).create();
    healthy(h.client.resource(rollout(ns, "audited", Map.of("tier", "audited"))).create());
    h.awaitPolicy(ns, "audit", p -> p.getStatus() != null && p.getStatus().getAudit() != null
        && p.getStatus().getAudit() == 1);
    assertThat(applied(get(ns, "audited"))).isFalse();

    // opt-out: the original template comes back exactly (R8), in one more write
    ArgoRollout optOut = get(ns, "checkout");
    optOut.getMetadata().getAnnotations().put(GracefulAnnotations.ENABLED, "false");
    h.client.resource(optOut).update();
    await().atMost(NOTICED).until(() -> !applied(get(ns, "checkout")));
    assertThat(get(ns, "checkout").getSpec().getTemplate()).isEqualTo(original);
    assertThat(patches(ns)).hasSize(2);

    // the CRD goes: the Rollout controller stops, the policy says so again, the operator keeps running
    h.client.resource(crd(h.client)).delete();
    h.awaitPolicy(ns, "web", p -> validMessage(p).contains("rollouts.argoproj.io (Argo Rollouts) is not installed"));
    assertThat(h.operator.isLive()).isTrue();
    assertThat(patches(ns)).hasSize(2);
  }

  @Test
  void withTheCrdButWithoutPermissionTheOperatorStartsAndThePolicySaysWhatToGrant() throws IOException {
    String user = "system:serviceaccount:graceful-system:graceful-operator";
    h = new OperatorHarness("31", OperatorConfig.defaults(), api -> {
      try {
        api.client().resource(crd(api.client())).create();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      api.deny("GET", "/apis/argoproj.io/v1alpha1/rollouts", user, "list", "rollouts", "argoproj.io");
    });
    assertThat(h.operator.isLive()).as("a missing optional permission does not fail start-up").isTrue();
    String ns = h.newNamespace("argo-denied");
    h.client.resource(policy(ns, "web", WEB, 5, 20L, "Rollout")).create();
    h.awaitPolicy(ns, "web", p -> validMessage(p).equals("the spec is valid; Rollout is not governed now: the CRD "
        + "rollouts.argoproj.io is installed but the operator may not list rollouts.argoproj.io in all namespaces: "
        + "grant get, list, watch and patch on rollouts.argoproj.io (Helm: --set rbac.argoRollouts=true)"));
    assertThat(h.api.requests(r -> r.fromOperator() && r.path().startsWith("/apis/argoproj.io/v1alpha1/")
        && r.path().contains("watch"))).as("no informer was started").isEmpty();
  }

  private OperatorHarness withCrd(OperatorConfig config) {
    return new OperatorHarness("31", config, api -> {
      try {
        api.client().resource(crd(api.client())).create();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  @Test
  void aFightOverARolloutStopsAfterAFewAttemptsWithStateConflict() {
    h = withCrd(OperatorConfig.defaults());
    String ns = h.newNamespace("argo-fight");
    healthy(h.client.resource(rollout(ns, "checkout", WEB)).create());
    h.client.resource(policy(ns, "web", WEB, 5, 20L, "Rollout")).create();
    int maxReapplies = OperatorConfig.defaults().maxReapplies();
    for (int round = 0; round <= maxReapplies; round++) {
      await().atMost(NOTICED).until(() -> get(ns, "checkout").getSpec().getTemplate().getSpec().getContainers()
          .get(0).getLifecycle() != null);
      // "another controller" removes the hook again
      ArgoRollout undo = get(ns, "checkout");
      undo.getSpec().getTemplate().getSpec().getContainers().get(0).setLifecycle(null);
      h.client.resource(undo).update();
    }
    GracefulPolicy p = h.awaitPolicy(ns, "web", x -> x.getStatus() != null && x.getStatus().getConflicts() != null
        && x.getStatus().getConflicts() == 1);
    assertThat(p.getStatus().getDeployments()).singleElement().satisfies(g -> {
      assertThat(g.getKind()).isEqualTo("Rollout");
      assertThat(g.getReason()).isEqualTo("FightingAnotherController");
    });
    assertThat(patches(ns)).hasSize(1 + maxReapplies);
    assertThat(h.operator.metrics().scrape())
        .containsPattern("graceful_conflicts_stopped_total\\{kind=\"Rollout\"} [1-9]");
  }

  @Test
  void aRolloutAndADeploymentOfOneNameShareTheRolloutSlotAcrossKinds() {
    h = withCrd(OperatorConfig.defaults().withMaxConcurrentRollouts(1, 0));
    String ns = h.newNamespace("argo-budget");
    healthy(h.client.resource(rollout(ns, "web", WEB)).create());
    io.fabric8.kubernetes.api.model.apps.Deployment d = h.client.resource(Fixtures.deployment(ns, "web", WEB,
        Fixtures.container("app"))).create();
    d.setStatus(FakeDeploymentController.settled(d));
    h.client.apps().deployments().inNamespace(ns).resource(d).updateStatus();
    h.client.resource(policy(ns, "all", WEB, 5, 20L, "Deployment", "Rollout")).create();

    // one slot: one of the two is written, the other waits (they are two workloads despite the one name)
    await().atMost(NOTICED).until(() -> applied(get(ns, "web")) || deploymentApplied(ns, "web"));
    boolean rolloutFirst = applied(get(ns, "web"));
    String first = rolloutFirst ? "Rollout" : "Deployment";
    String second = rolloutFirst ? "Deployment" : "Rollout";
    GracefulPolicy waiting = h.awaitPolicy(ns, "all", p -> p.getStatus() != null && p.getStatus().getDeployments()
        .stream().anyMatch(g -> second.equals(g.getKind()) && "WaitingForRolloutBudget".equals(g.getReason())));
    assertThat(waiting.getStatus().getDeployments()).noneMatch(g -> first.equals(g.getKind())
        && "WaitingForRolloutBudget".equals(g.getReason()));
    // its controller has not observed the new generation yet: the slot stays taken
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
        .until(() -> rolloutFirst ? !deploymentApplied(ns, "web") : !applied(get(ns, "web")));
    assertThat(h.operator.metrics().scrape()).contains("graceful_rollouts_in_flight{kind=\"" + first + "\"} 1.0")
        .contains("graceful_rollouts_waiting{kind=\"" + second + "\"} 1.0");

    if (rolloutFirst) {
      healthy(get(ns, "web"));
    } else {
      io.fabric8.kubernetes.api.model.apps.Deployment written = h.deployment(ns, "web");
      written.setStatus(FakeDeploymentController.settled(written));
      h.client.apps().deployments().inNamespace(ns).resource(written).updateStatus();
    }
    await().atMost(NOTICED).until(() -> applied(get(ns, "web")) && deploymentApplied(ns, "web"));
    assertThat(patches(ns)).as("one write to the Rollout").hasSize(1);
  }

  private boolean deploymentApplied(String ns, String name) {
    var annotations = h.deployment(ns, name).getMetadata().getAnnotations();
    return annotations != null && annotations.containsKey(GracefulAnnotations.APPLIED_POLICY);
  }
}
