package io.graceful.operator.it;

import static io.graceful.operator.it.Fixtures.container;
import static io.graceful.operator.it.Fixtures.deployment;
import static io.graceful.operator.it.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.graceful.operator.api.v1alpha1.GovernedDeployment;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.core.GracefulAnnotations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rollout budget against a fake Deployment controller: at most 3 operator rollouts at once (per namespace: 2),
 * a fair order, Pending drains, Deployments without pods to restart skip the queue, and failures trip the breaker
 * until a person fixes them.
 */
class RolloutBudgetTest {
  private static final Map<String, String> WEB = Map.of("tier", "web");
  /** One operator per test: the global cap is shared, and each test's fake controller ends with the test. */
  private static OperatorHarness h;

  @BeforeEach
  void start() {
    h = new OperatorHarness("31", OperatorConfig.defaults().withMaxConcurrentRollouts(3, 0).withFailureThreshold(2));
  }

  @AfterEach
  void stop() {
    h.close();
  }

  /** Creates a Deployment with running pods (status settled), as it would be on a real cluster. */
  static void running(String ns, String name, Map<String, String> labels, int replicas) {
    Deployment d = deployment(ns, name, labels, container("app"));
    d.getSpec().setReplicas(replicas);
    Deployment created = h.client.resource(d).create();
    created.setStatus(replicas == 0 ? null : FakeDeploymentController.settled(created));
    if (replicas > 0) {
      h.client.apps().deployments().inNamespace(ns).resource(created).updateStatus();
    }
  }

  static boolean applied(Deployment d) {
    return d.getMetadata().getAnnotations() != null
        && d.getMetadata().getAnnotations().containsKey(GracefulAnnotations.APPLIED_POLICY);
  }

  @Test
  void neverMoreThanTheCapAtOnceAndPendingDrainsInFairOrder() {
    String ns = h.newNamespace("budget");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      names.add(String.format("web-%02d", i));
      running(ns, names.get(i), WEB, 2);
    }
    running(ns, "scaled-to-zero", WEB, 0);
    h.client.resource(deployment(ns, "brand-new", WEB, container("app"))).create();
    try (FakeDeploymentController kubeController = new FakeDeploymentController(h.client, ns, Duration.ofMillis(700))) {
      h.client.resource(policy(ns, "web", WEB, 10, 20L)).create();

      // Deployments that restart no pods do not wait for the budget
      h.awaitDeployment(ns, "scaled-to-zero", RolloutBudgetTest::applied);
      h.awaitDeployment(ns, "brand-new", RolloutBudgetTest::applied);
      GracefulPolicy waiting = h.awaitPolicy(ns, "web", p -> p.getStatus().getDeployments().stream()
          .anyMatch(g -> "WaitingForRolloutBudget".equals(g.getReason())));
      assertThat(waiting.getStatus().getPending()).isGreaterThan(0);

      await().atMost(Duration.ofSeconds(60)).until(() -> names.stream().allMatch(n -> applied(h.deployment(ns, n))));
      GracefulPolicy done = h.awaitConverged(ns, "web");
      assertThat(done.getStatus().getApplied()).isEqualTo(12);
      assertThat(kubeController.maxInProgress()).as("rollouts in progress at once").isBetween(1, 3);
      // the first slots go to whoever asks first; every Deployment that had to wait starts in fair order
      List<String> queued = names.stream().filter(n -> h.events(ns, n).stream()
          .anyMatch(e -> e.getReason().equals("WaitingForRolloutBudget"))).toList();
      List<String> writeOrder = h.api.requests(r -> r.fromOperator() && r.method().equals("PATCH")
              && r.path().contains("/namespaces/" + ns + "/deployments/web-")).stream()
          .map(r -> r.path().replaceAll(".*/deployments/([^/?]+).*", "$1")).filter(queued::contains).toList();
      assertThat(queued).as("some Deployments had to wait").hasSizeGreaterThanOrEqualTo(5);
      // slots freed together go to the first waiting Deployments in fair order; which of those writes first is
      // a race, so a Deployment may land at most (cap - 1) places from its fair position, never further
      assertThat(writeOrder).containsExactlyInAnyOrderElementsOf(queued);
      for (int i = 0; i < writeOrder.size(); i++) {
        assertThat(Math.abs(queued.indexOf(writeOrder.get(i)) - i)).as("%s written at %d of %s", writeOrder.get(i),
            i, writeOrder).isLessThan(3);
      }
    }
  }

  @Test
  void failedRolloutsOpenTheCircuitBreakerUntilAPersonFixesThem() {
    String ns = h.newNamespace("breaker");
    Map<String, String> failing = new HashMap<>(WEB);
    failing.put("rollout", "fail");
    running(ns, "a-fails", failing, 1);
    running(ns, "b-fails", failing, 1);
    try (FakeDeploymentController kubeController = new FakeDeploymentController(h.client, ns, Duration.ofMillis(300))) {
      h.client.resource(policy(ns, "web", WEB, 10, 20L)).create();
      GracefulPolicy halted = h.awaitPolicy(ns, "web", p -> p.getStatus().getConditions().stream()
          .anyMatch(c -> c.getType().equals("RolloutsHalted") && c.getStatus().equals("True")));
      assertThat(halted.getStatus().getConditions()).filteredOn(c -> c.getType().equals("RolloutsHalted"))
          .singleElement().satisfies(c -> assertThat(c.getMessage()).contains("a-fails").contains("b-fails"));
      assertThat(halted.getStatus().getConditions()).filteredOn(c -> c.getType().equals("Ready"))
          .singleElement().satisfies(c -> assertThat(c.getReason()).isEqualTo("RolloutsHalted"));
      await().atMost(Duration.ofSeconds(10)).until(() -> h.events(ns, "web").stream()
          .anyMatch(e -> e.getReason().equals("RolloutsHalted")));

      // running Deployments that join the policy now (relabelled) would need a rollout: they are held
      for (int i = 0; i < 3; i++) {
        running(ns, "c-ok-" + i, Map.of("tier", "later"), 1);
      }
      for (int i = 0; i < 3; i++) {
        Deployment d = h.deployment(ns, "c-ok-" + i);
        d.getMetadata().setLabels(new HashMap<>(WEB));
        h.client.resource(d).update();
      }
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(h.policy(ns, "web").getStatus()
          .getDeployments()).filteredOn(g -> "RolloutsHalted".equals(g.getReason())).hasSize(3));
      assertThat(h.api.requests(r -> r.fromOperator() && r.method().equals("PATCH")
          && r.path().contains("/namespaces/" + ns + "/deployments/c-ok"))).isEmpty();

      // a person rolls the failed Deployments back to health: the breaker closes and the rest proceed
      for (String name : List.of("a-fails", "b-fails")) {
        Deployment d = h.deployment(ns, name);
        d.getMetadata().getLabels().remove("rollout");
        Deployment relabelled = h.client.resource(d).update();
        relabelled.setStatus(FakeDeploymentController.settled(relabelled));
        h.client.apps().deployments().inNamespace(ns).resource(relabelled).updateStatus();
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> java.util.stream.IntStream.range(0, 3)
          .allMatch(i -> applied(h.deployment(ns, "c-ok-" + i))));
      GracefulPolicy resumed = h.awaitConverged(ns, "web");
      assertThat(resumed.getStatus().getConditions()).filteredOn(c -> c.getType().equals("RolloutsHalted"))
          .singleElement().satisfies(c -> assertThat(c.getStatus()).isEqualTo("False"));
      assertThat(kubeController.maxInProgress()).isLessThanOrEqualTo(3);
    }
  }
}
