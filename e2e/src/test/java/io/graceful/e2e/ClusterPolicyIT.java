package io.graceful.e2e;

import static io.graceful.e2e.Workloads.deployment;
import static io.graceful.e2e.Workloads.hook;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A ClusterGracefulPolicy on the real API server, installed by the chart's cluster-wide RBAC, checked with kubectl:
 * its namespaceSelector selects a labelled namespace, where it applies; a namespaced GracefulPolicy overrides it for
 * the Deployment it selects, and the cluster policy lists that Deployment as OverriddenByNamespacePolicy; removing
 * the namespace's label reverts its Deployment exactly (the pod template kubectl shows equals the one applied).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterPolicyIT {
  private static final String NS = "e2e-cgp";
  private static final String LABEL = "graceful.example/platform";
  private static final String CLUSTER_POLICY = """
      apiVersion: graceful.io/v1alpha1
      kind: ClusterGracefulPolicy
      metadata:
        name: e2e-platform
      spec:
        namespaceSelector:
          matchLabels: {"%s": "on"}
        selector:
          matchLabels: {tier: web}
        preStop:
          sleepSeconds: 7
        shutdownSeconds: 10
        priority: 100
      """.formatted(LABEL);
  private static final String TEAM_POLICY = """
      apiVersion: graceful.io/v1alpha1
      kind: GracefulPolicy
      metadata:
        name: checkout
        namespace: %s
      spec:
        selector:
          matchLabels: {team: checkout}
        preStop:
          sleepSeconds: 12
        shutdownSeconds: 10
      """.formatted(NS);

  private ControlPlane cp;
  private KubernetesClient k8s;
  private OperatorProcess operator;
  private String webTemplate;

  @BeforeAll
  void start() {
    cp = ControlPlane.get();
    k8s = cp.admin();
    OperatorInstall install = OperatorInstall.ensure(cp);
    cp.kubectl("delete", "clustergracefulpolicy", "e2e-platform", "--ignore-not-found").orFail();
    cp.freshNamespace(NS);
    cp.kubectlStdin(Manifests.deployment(NS, "web", 1), "apply", "-f", "-").orFail();
    cp.kubectlStdin(Manifests.deployment(NS, "checkout", 1), "apply", "-f", "-").orFail();
    cp.kubectl("label", "deployment", "-n", NS, "checkout", "team=checkout").orFail();
    await("both rolled out").atMost(Duration.ofSeconds(60))
        .until(() -> Workloads.rolledOut(deployment(k8s, NS, "web"))
            && Workloads.rolledOut(deployment(k8s, NS, "checkout")));
    webTemplate = template("web");
    operator = OperatorProcess.start(cp, "cluster-policy", install.kubeconfig(), Map.of()).awaitReady();
    cp.kubectl("label", "namespace", NS, LABEL + "=on").orFail();
    cp.kubectlStdin(TEAM_POLICY, "apply", "-f", "-").orFail();
    cp.kubectlStdin(CLUSTER_POLICY, "apply", "-f", "-").orFail();
  }

  @AfterAll
  void stop() throws InterruptedException {
    if (cp != null) {
      cp.kubectl("delete", "clustergracefulpolicy", "e2e-platform", "--ignore-not-found");
    }
    if (operator != null) {
      operator.close();
    }
  }

  private String template(String name) {
    return cp.kubectl("get", "deployment", "-n", NS, name, "-o", "jsonpath={.spec.template}").orFail();
  }

  private String cgp(String jsonPath) {
    return cp.kubectl("get", "cgp", "e2e-platform", "-o", "jsonpath={" + jsonPath + "}").orFail();
  }

  @Test
  void appliesInTheSelectedNamespaceYieldsToTheNamespacedPolicyAndRevertsExactlyWhenTheLabelGoes() {
    await("cluster policy applied to web, team policy to checkout").atMost(Duration.ofSeconds(60))
        .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
        .until(() -> "sleep 7".equals(hook(deployment(k8s, NS, "web"), "web"))
            && "sleep 12".equals(hook(deployment(k8s, NS, "checkout"), "web")));
    assertThat(deployment(k8s, NS, "web").getMetadata().getAnnotations())
        .containsEntry("graceful.io/applied-policy", "cluster/e2e-platform");
    await("cluster policy status").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(cgp(".status.applied")).isEqualTo("1");
      assertThat(cgp(".status.skipped")).isEqualTo("1");
      assertThat(cgp(".status.conflicts")).isEqualTo("0");
      assertThat(cgp(".status.deployments[0].namespace")).isEqualTo(NS);
      assertThat(cgp(".status.deployments[0].name")).isEqualTo("checkout");
      assertThat(cgp(".status.deployments[0].reason")).isEqualTo("OverriddenByNamespacePolicy");
      assertThat(cgp(".status.conditions[?(@.type==\"Ready\")].status")).isEqualTo("True");
    });
    assertThat(cp.kubectl("get", "gp", "-n", NS, "checkout", "-o", "jsonpath={.status.conflicts}").orFail())
        .as("an override is no conflict on the namespaced side either").isEqualTo("0");
    assertThat(cp.kubectl("get", "graceful", "-A").orFail()).as("category graceful lists both kinds")
        .contains("e2e-platform", "checkout");

    cp.kubectl("label", "namespace", NS, LABEL + "-").orFail();
    await("web reverted exactly").atMost(Duration.ofSeconds(60))
        .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
        .until(() -> template("web").equals(webTemplate));
    Deployment web = deployment(k8s, NS, "web");
    assertThat(web.getMetadata().getAnnotations()).as("no graceful.io annotation left")
        .satisfiesAnyOf(a -> assertThat(a).isNull(),
            a -> assertThat(a.keySet()).noneMatch(k -> k.startsWith("graceful.io/")));
    assertThat(hook(deployment(k8s, NS, "checkout"), "web")).as("the team's policy keeps its change")
        .isEqualTo("sleep 12");
    await("cluster policy matches nothing now").atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(cgp(".status.matched")).isEqualTo("0"));
    await("Reverted Event").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(cp.kubectl("get", "events", "-n", NS, "--field-selector", "involvedObject.name=web",
            "-o", "custom-columns=R:.reason", "--no-headers").orFail()).contains("Reverted"));
  }
}
