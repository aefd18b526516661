package io.graceful.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rollout budget against the real Deployment controller's status: the cap holds at every sample while real
 * ReplicaSets scale, waiting Deployments drain, and rollouts that cannot finish (new pods never Ready, a short
 * progressDeadlineSeconds) trip the per-policy circuit breaker.
 */
class RolloutBudgetIT {
  private static final int CAP = 2;
  private ControlPlane cp;
  private KubernetesClient k8s;
  private OperatorProcess operator;

  @BeforeEach
  void start() {
    cp = ControlPlane.get();
    k8s = cp.admin();
    OperatorInstall install = OperatorInstall.ensure(cp);
    operator = OperatorProcess.start(cp, "rollout-budget", install.kubeconfig(), Map.of(
        "GRACEFUL_MAX_CONCURRENT_ROLLOUTS", Integer.toString(CAP),
        // one failed rollout halts the policy: with a higher threshold the slot a failed rollout frees could go to
        // the third Deployment before the second failure is reported (a race a test must not depend on)
        "GRACEFUL_ROLLOUT_FAILURE_THRESHOLD", "1")).awaitReady();
  }

  @AfterEach
  void stop() throws InterruptedException {
    operator.close();
  }

  @Test
  void theCapHoldsWhileRealRolloutsRunAndTheWaitingOnesDrain() {
    String ns = "e2e-budget";
    createRolledOut(ns, 6);
    AtomicInteger maxInFlight = new AtomicInteger();
    AtomicInteger maxPending = new AtomicInteger();
    cp.kubectlStdin(Manifests.policy(ns, "web", 3, 5), "apply", "-f", "-").orFail();
    await("all six applied and rolled out").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
        .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
        .until(() -> {
          List<Deployment> all = k8s.apps().deployments().inNamespace(ns).list().getItems();
          // in flight because of the operator: its change is on the Deployment, the rollout is not finished
          int inFlight = (int) all.stream().filter(d -> Workloads.hook(d, "web").equals("sleep 3"))
              .filter(d -> !Workloads.rolledOut(d)).count();
          maxInFlight.accumulateAndGet(inFlight, Math::max);
          String pending = cp.kubectl("get", "gp", "-n", ns, "web", "-o", "jsonpath={.status.pending}").stdout();
          if (!pending.isBlank()) {
            maxPending.accumulateAndGet(Integer.parseInt(pending.strip()), Math::max);
          }
          return all.stream().allMatch(d -> Workloads.hook(d, "web").equals("sleep 3") && Workloads.rolledOut(d));
        });
    assertThat(maxInFlight.get()).as("operator-caused rollouts in progress at once").isLessThanOrEqualTo(CAP)
        .isPositive();
    assertThat(maxPending.get()).as("Deployments seen waiting for a slot").isPositive();
    assertThat(cp.kubectl("get", "events", "-n", ns, "-o", "custom-columns=R:.reason", "--no-headers").orFail())
        .contains("WaitingForRolloutBudget");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(cp.kubectl("get", "gp", "-n", ns, "web",
        "-o", "jsonpath={.status.applied}/{.status.pending}").orFail()).isEqualTo("6/0"));
  }

  @Test
  void rolloutsThatCannotFinishTripTheCircuitBreaker() {
    String ns = "e2e-breaker";
    createRolledOut(ns, 3);
    // the new version never comes up: every pod started from now on stays unready
    cp.kubelet().failNewPods(ns);
    try {
      cp.kubectlStdin(Manifests.policy(ns, "web", 3, 5), "apply", "-f", "-").orFail();
      await("breaker open").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
          .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
          .untilAsserted(() -> assertThat(cp.kubectl("get", "gp", "-n", ns, "web", "-o",
              "jsonpath={.status.conditions[?(@.type==\"RolloutsHalted\")].status}").orFail()).isEqualTo("True"));
      // two rollouts were started (the cap) and both end failed by the Deployment controller's own deadline
      await("both started rollouts failed").atMost(Duration.ofSeconds(60)).until(() -> k8s.apps().deployments()
          .inNamespace(ns).list().getItems().stream().filter(d -> d.getStatus().getConditions().stream().anyMatch(c ->
              c.getType().equals("Progressing") && c.getReason().equals("ProgressDeadlineExceeded"))).count() == 2);
      List<Deployment> all = k8s.apps().deployments().inNamespace(ns).list().getItems();
      assertThat(all.stream().filter(d -> Workloads.hook(d, "web").equals("none")).count())
          .as("the third Deployment is held, not written").isEqualTo(1);
      assertThat(cp.kubectl("get", "gp", "-n", ns, "web", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")]"
          + ".reason}").orFail()).isEqualTo("RolloutsHalted");
      assertThat(cp.kubectl("get", "events", "-n", ns, "-o", "custom-columns=R:.reason", "--no-headers").orFail())
          .contains("RolloutsHalted");
    } finally {
      cp.kubelet().healNewPods(ns);
    }
  }

  private void createRolledOut(String ns, int count) {
    cp.freshNamespace(ns);
    for (int i = 0; i < count; i++) {
      cp.kubectlStdin(Manifests.deployment(ns, "app-" + i, 1), "apply", "-f", "-").orFail();
    }
    await(ns + " rolled out").atMost(Duration.ofSeconds(120)).until(() -> {
      List<Deployment> all = k8s.apps().deployments().inNamespace(ns).list().getItems();
      return all.size() == count && all.stream().allMatch(Workloads::rolledOut);
    });
  }
}
