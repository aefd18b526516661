package io.graceful.e2e;

import static io.graceful.e2e.Workloads.deployment;
import static io.graceful.e2e.Workloads.hook;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The operator under an identity the API server's real RBAC restricts, as after a hand-made or outdated Role:
 * a start without list rights fails fast with a message naming what is missing; a Role without {@code patch} on
 * Deployments leaves every Deployment untouched, reports WritesFailing with the server's 403 on the policy and in
 * {@code graceful_write_failures_total{code="403"}}, and converges by itself once the right is granted.
 */
class RestrictedIdentityIT {
  private static final String NS = "e2e-restricted";

  private final ControlPlane cp = ControlPlane.get();
  private final KubernetesClient k8s = cp.admin();

  private static Map<String, String> namespacedEnv() {
    // watch one namespace (Roles only, as the chart's namespaced mode), forced native sleep (no node reads), and a
    // short retry cap so that the grant is noticed within seconds
    return Map.of("GRACEFUL_WATCH_NAMESPACES", NS, "GRACEFUL_NATIVE_SLEEP", "true",
        "GRACEFUL_RETRY_MAX_DELAY_SECONDS", "5", "GRACEFUL_START_TIMEOUT_SECONDS", "30");
  }

  private Path kubeconfigFor(String serviceAccount) {
    if (!cp.kubectl("get", "serviceaccount", "-n", NS, serviceAccount).ok()) {
      cp.kubectl("create", "serviceaccount", "-n", NS, serviceAccount).orFail();
    }
    return ServiceAccountKubeconfig.write(cp, NS, serviceAccount, cp.state().resolve(serviceAccount + ".kubeconfig"));
  }

  @Test
  void withoutListRightsTheStartFailsFastNamingWhatIsMissing() throws InterruptedException {
    OperatorInstall.ensure(cp);
    cp.freshNamespace(NS);
    Path kubeconfig = kubeconfigFor("nobody");
    OperatorProcess operator = OperatorProcess.start(cp, "restricted-nobody", kubeconfig, namespacedEnv());
    try {
      assertThat(operator.awaitExit(Duration.ofSeconds(60))).as(operator.tail()).isEqualTo(3);
      assertThat(operator.log()).contains("start failed", "permission denied",
          ServiceAccountKubeconfig.user(NS, "nobody"), "may not list", NS)
          .doesNotContain("\tat io.");
    } finally {
      operator.close();
    }
  }

  @Test
  void aRoleWithoutPatchReportsWritesFailingAndConvergesOnceGranted() throws InterruptedException {
    OperatorInstall.ensure(cp);
    cp.freshNamespace(NS);
    Path kubeconfig = kubeconfigFor("narrow");
    cp.kubectl("create", "role", "narrow-read", "-n", NS, "--verb=get,list,watch",
        "--resource=deployments.apps,statefulsets.apps,daemonsets.apps,gracefulpolicies.graceful.io").orFail();
    cp.kubectl("create", "role", "narrow-report", "-n", NS, "--verb=get,patch,update",
        "--resource=gracefulpolicies.graceful.io/status").orFail();
    cp.kubectl("create", "role", "narrow-events", "-n", NS, "--verb=create,get,list,patch",
        "--resource=events").orFail();
    for (String role : new String[] {"narrow-read", "narrow-report", "narrow-events"}) {
      cp.kubectl("create", "rolebinding", role, "-n", NS, "--role=" + role,
          "--serviceaccount=" + NS + ":narrow").orFail();
    }
    cp.kubectlStdin(Manifests.deployment(NS, "web", 1), "apply", "-f", "-").orFail();
    OperatorProcess operator = OperatorProcess.start(cp, "restricted-narrow", kubeconfig, namespacedEnv())
        .awaitReady();
    try {
      cp.kubectlStdin(Manifests.policy(NS, "web", 10, 10), "apply", "-f", "-").orFail();
      await("WritesFailing=True").atMost(Duration.ofSeconds(60))
          .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
          .untilAsserted(() -> assertThat(condition("WritesFailing", "status")).isEqualTo("True"));
      assertThat(condition("WritesFailing", "message")).contains("web", "forbidden", "patch");
      assertThat(condition("Ready", "reason")).isEqualTo("WritesFailing");
      assertThat(operator.metrics()).containsPattern("graceful_write_failures_total\\{code=\"403\"[^}]*} [1-9]");
      assertThat(hook(deployment(k8s, NS, "web"), "web")).as("nothing half-written").isEqualTo("none");

      cp.kubectl("create", "role", "narrow-write", "-n", NS, "--verb=patch", "--resource=deployments.apps")
          .orFail();
      cp.kubectl("create", "rolebinding", "narrow-write", "-n", NS, "--role=narrow-write",
          "--serviceaccount=" + NS + ":narrow").orFail();
      await("applied once granted").atMost(Duration.ofSeconds(60))
          .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
          .untilAsserted(() -> {
            assertThat(hook(deployment(k8s, NS, "web"), "web")).isEqualTo("sleep 10");
            assertThat(condition("WritesFailing", "status")).isEqualTo("False");
            assertThat(condition("Ready", "status")).isEqualTo("True");
          });
    } finally {
      operator.close();
    }
  }

  private String condition(String type, String field) {
    return cp.kubectl("get", "gp", "-n", NS, "web", "-o",
        "jsonpath={.status.conditions[?(@.type==\"" + type + "\")]." + field + "}").orFail();
  }
}
