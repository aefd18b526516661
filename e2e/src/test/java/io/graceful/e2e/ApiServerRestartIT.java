package io.graceful.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * kube-apiserver stopped and started while the operator is converging (etcd keeps the data, as in an upgrade or a
 * crash of the API server): the operator's watches reconnect, it finishes the work without being restarted, and no
 * Deployment is written twice.
 */
class ApiServerRestartIT {
  private static final String NS = "e2e-restart";
  private static final int COUNT = 12;
  private OperatorProcess operator;

  @AfterEach
  void stop() throws InterruptedException {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void theOperatorRecoversFromAnApiServerRestartWithoutDuplicateWrites() throws InterruptedException {
    ControlPlane cp = ControlPlane.get();
    KubernetesClient k8s = cp.admin();
    OperatorInstall install = OperatorInstall.ensure(cp);
    cp.freshNamespace(NS);
    for (int i = 0; i < COUNT; i++) {
      cp.kubectlStdin(Manifests.deployment(NS, "app-" + i, 1), "apply", "-f", "-").orFail();
    }
    await("rolled out").atMost(Duration.ofSeconds(120)).until(() -> k8s.apps().deployments().inNamespace(NS).list()
        .getItems().stream().filter(Workloads::rolledOut).count() == COUNT);
    // a small budget stretches convergence over several rollouts, so the restart lands in the middle of it
    operator = OperatorProcess.start(cp, "apiserver-restart", install.kubeconfig(),
        Map.of("GRACEFUL_MAX_CONCURRENT_ROLLOUTS", "2")).awaitReady();
    int mark = cp.audit().mark();
    cp.kubectlStdin(Manifests.policy(NS, "web", 3, 5), "apply", "-f", "-").orFail();
    await("first writes").atMost(Duration.ofSeconds(60)).until(() -> hooked(k8s) >= 2);
    long before = hooked(k8s);
    cp.restartApiServer();
    long afterRestart = hooked(k8s);
    System.out.println("hooked before the restart: " + before + ", right after: " + afterRestart + " of " + COUNT);
    assertThat(afterRestart).as("the restart happened mid-convergence").isLessThan(COUNT);

    await("converged after the restart").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
        .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
        .until(() -> hooked(k8s) == COUNT);
    assertThat(operator.isAlive()).as("recovered without a restart of its own").isTrue();
    Thread.sleep(5000);
    List<AuditLog.Request> patches = cp.audit().since(mark).stream()
        .filter(r -> r.resource().equals("deployments.apps") && r.verb().equals("patch") && r.namespace().equals(NS))
        .toList();
    // a patch the stopping API server refused (503, or its JSON Patch test failing after the first one landed: 422)
    // changed nothing; what must not happen is a second change
    patches.stream().filter(r -> r.code() / 100 != 2)
        .forEach(r -> System.out.println("refused during the restart: patch " + r.name() + " -> " + r.code()));
    Map<String, Long> writes = patches.stream().filter(r -> r.code() / 100 == 2)
        .collect(Collectors.groupingBy(AuditLog.Request::name, Collectors.counting()));
    assertThat(writes).as("one accepted write per Deployment").hasSize(COUNT).allSatisfy((name, count) ->
        assertThat(count).as(name).isEqualTo(1L));
    await("policy status caught up").atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(cp.kubectl("get",
        "gp", "-n", NS, "web", "-o", "jsonpath={.status.applied}").orFail()).isEqualTo(Integer.toString(COUNT)));
  }

  private static long hooked(KubernetesClient k8s) {
    List<Deployment> all = k8s.apps().deployments().inNamespace(NS).list().getItems();
    return all.stream().filter(d -> Workloads.hook(d, "web").equals("sleep 3")).count();
  }
}
