package io.graceful.e2e;

import static io.graceful.e2e.Workloads.deployment;
import static io.graceful.e2e.Workloads.grace;
import static io.graceful.e2e.Workloads.hook;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Born compliant (README "Admission"), on the real API server: the operator runs as a host process with the
 * webhook on, under the chart's ServiceAccount with the objects and rights the chart adds with
 * {@code admission.enabled} (the configuration pointed at 127.0.0.1 instead of the Service, since the operator runs on
 * this host); it fills the Secret and the caBundle. A Deployment created under a policy is stored
 * with the hook (one ReplicaSet, no write by the operator); applying or replacing the original manifest again
 * changes nothing (no rollout, no write); with the webhook stopped, a create still succeeds and the controller
 * repairs it afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdmissionIT {
  private static final String NS = "e2e-admission";
  private static final String FULLNAME = OperatorInstall.RELEASE + "-graceful-operator";
  private static final String WEBHOOK = FULLNAME + "." + OperatorInstall.NAMESPACE;
  private static final String SECRET = FULLNAME + "-webhook-tls";
  private ControlPlane cp;
  private KubernetesClient k8s;
  private OperatorInstall install;
  private OperatorProcess operator;
  private int webhookPort;
  /** What this test added to the chart's install, removed again afterwards (other tests check the install). */
  private String chartObjects;

  @BeforeAll
  void start() throws IOException {
    cp = ControlPlane.get();
    k8s = cp.admin();
    install = OperatorInstall.ensure(cp);
    cp.freshNamespace(NS);
    // what the chart installs with admission.enabled=true (its webhook configuration, the empty Secret, the rights
    // to read and update exactly those), given to the chart's ServiceAccount
    cp.kubectl("delete", "mutatingwebhookconfiguration", WEBHOOK, "--ignore-not-found").orFail();
    cp.kubectl("delete", "secret", "-n", OperatorInstall.NAMESPACE, SECRET, "--ignore-not-found").orFail();
    String rendered = cp.helm("template", OperatorInstall.RELEASE, "helm/graceful-operator", "-n",
        OperatorInstall.NAMESPACE, "--kube-version", "1.37.2", "--set", "admission.enabled=true", "--show-only",
        "templates/webhook.yaml").orFail();
    cp.kubectlStdin(rendered, "apply", "-f", "-").orFail();
    chartObjects = rendered;
    try (ServerSocket s = new ServerSocket(0)) {
      webhookPort = s.getLocalPort();
    }
    // the operator runs on this host, not behind the Service: the API server calls it on 127.0.0.1
    cp.kubectl("patch", "mutatingwebhookconfiguration", WEBHOOK, "--type=json", "-p",
        "[{\"op\":\"replace\",\"path\":\"/webhooks/0/clientConfig\",\"value\":{\"url\":\"https://127.0.0.1:"
            + webhookPort + "/mutate\"}}]").orFail();
    operator = startOperator("admission");
    cp.kubectlStdin(Manifests.policy(NS, "web", 5, 30), "apply", "-f", "-").orFail();
    // the webhook's own policy cache sees the policy
    await("policy in the webhook's cache").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .until(() -> cp.kubectlStdin(Manifests.deployment(NS, "probe", 1), "apply", "--dry-run=server", "-o",
            "jsonpath={.spec.template.spec.containers[0].lifecycle.preStop.sleep.seconds}", "-f", "-").orFail()
            .equals("5"));
  }

  private OperatorProcess startOperator(String name) {
    return OperatorProcess.start(cp, name, install.kubeconfig(), Map.of(
        "POD_NAMESPACE", OperatorInstall.NAMESPACE,
        "GRACEFUL_ADMISSION_ENABLED", "true",
        "GRACEFUL_ADMISSION_PORT", Integer.toString(webhookPort),
        "GRACEFUL_ADMISSION_URL", "https://127.0.0.1:" + webhookPort,
        "GRACEFUL_ADMISSION_WEBHOOK_NAME", WEBHOOK,
        "GRACEFUL_ADMISSION_SECRET", SECRET,
        "GRACEFUL_POLICY_SETTLE_SECONDS", "0")).awaitReady();
  }

  @AfterAll
  void stop() throws InterruptedException {
    if (operator != null) {
      operator.close();
    }
    if (chartObjects != null) {
      cp.kubectlStdin(chartObjects, "delete", "--ignore-not-found", "-f", "-");
    }
  }

  private List<AuditLog.Request> operatorWrites(int mark, String name) {
    return cp.audit().since(mark).stream()
        .filter(r -> r.resource().equals("deployments.apps") && name.equals(r.name())
            && !List.of("get", "list", "watch").contains(r.verb()))
        .toList();
  }

  @Test
  @Order(1)
  void theWebhookConfigurationCannotBlockWrites() {
    MutatingWebhookConfiguration mwc = k8s.admissionRegistration().v1().mutatingWebhookConfigurations()
        .withName(WEBHOOK).get();
    assertThat(mwc).as("written by the operator").isNotNull();
    assertThat(mwc.getWebhooks()).singleElement().satisfies(w -> {
      assertThat(w.getFailurePolicy()).isEqualTo("Ignore");
      assertThat(w.getSideEffects()).isEqualTo("None");
      assertThat(w.getTimeoutSeconds()).isLessThanOrEqualTo(5);
      assertThat(w.getClientConfig().getCaBundle()).as("the operator's CA, added to the chart's configuration")
          .isNotEmpty();
      assertThat(w.getNamespaceSelector().getMatchExpressions().get(0).getValues())
          .contains("kube-system", OperatorInstall.NAMESPACE);
    });
  }

  @Test
  @Order(2)
  void aDeploymentIsBornWithTheHookAndRollsOutOnce() {
    int mark = cp.audit().mark();
    cp.kubectlStdin(Manifests.deployment(NS, "born", 1), "apply", "-f", "-").orFail();
    Deployment stored = deployment(k8s, NS, "born");
    assertThat(hook(stored, "web")).as("stored with the hook").isEqualTo("sleep 5");
    assertThat(grace(stored)).isEqualTo(35L);
    assertThat(stored.getMetadata().getAnnotations()).containsKey("graceful.io/applied-policy");
    await("rolled out").atMost(Duration.ofSeconds(60))
        .until(() -> Workloads.rolledOut(deployment(k8s, NS, "born")));
    // the controller has seen it (the policy status counts it Applied) and had nothing to write
    await("policy counts it").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(cp.kubectl("get", "gp", "-n", NS, "web", "-o", "jsonpath={.status.applied}").orFail())
            .isEqualTo("1"));
    assertThat(Workloads.replicaSets(k8s, deployment(k8s, NS, "born"))).as("one ReplicaSet").hasSize(1);
    assertThat(operatorWrites(mark, "born")).as("operator writes to the Deployment").isEmpty();
    assertThat(operator.metrics()).containsPattern("graceful_admission_requests_total\\{result=\"mutated\"[^}]*} [1-9]");
  }

  @Test
  @Order(3)
  void applyingOrReplacingTheManifestAgainChangesNothing() {
    cp.kubectlStdin(Manifests.deployment(NS, "again", 1), "apply", "-f", "-").orFail();
    await("rolled out").atMost(Duration.ofSeconds(60))
        .until(() -> Workloads.rolledOut(deployment(k8s, NS, "again")));
    List<String> replicaSets = Workloads.replicaSets(k8s, deployment(k8s, NS, "again")).stream()
        .map(rs -> rs.getMetadata().getName()).toList();
    assertThat(replicaSets).hasSize(1);
    int mark = cp.audit().mark();

    cp.kubectlStdin(Manifests.deployment(NS, "again", 1), "apply", "-f", "-").orFail();
    // a replace sends the manifest whole: no hook, the default grace period, none of the operator's annotations
    cp.kubectlStdin(Manifests.deployment(NS, "again", 1), "replace", "-f", "-").orFail();

    Deployment d = deployment(k8s, NS, "again");
    assertThat(hook(d, "web")).isEqualTo("sleep 5");
    assertThat(grace(d)).isEqualTo(35L);
    // the replace drops annotations, which bumps the generation; the Deployment controller then finds the same
    // template: no new ReplicaSet
    await("the Deployment controller saw the replace").atMost(Duration.ofSeconds(30))
        .until(() -> Workloads.rolledOut(deployment(k8s, NS, "again")));
    assertThat(Workloads.replicaSets(k8s, deployment(k8s, NS, "again"))).as("no rollout")
        .extracting(rs -> rs.getMetadata().getName()).containsExactlyElementsOf(replicaSets);
    assertThat(operatorWrites(mark, "again")).isEmpty();
  }

  @Test
  @Order(4)
  void withTheWebhookDownACreateSucceedsAndTheControllerRepairsIt() throws InterruptedException {
    operator.close();
    cp.kubectlStdin(Manifests.deployment(NS, "unhooked", 1), "apply", "-f", "-").orFail();
    assertThat(hook(deployment(k8s, NS, "unhooked"), "web")).as("admitted unchanged").isEqualTo("none");

    operator = startOperator("admission-again");
    await("the controller repairs it").atMost(Duration.ofSeconds(60))
        .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
        .until(() -> "sleep 5".equals(hook(deployment(k8s, NS, "unhooked"), "web")));
    // the certificate in the shared Secret was reused: the configuration's CA did not change
    assertThat(operator.log()).doesNotContain("created the webhook CA");
  }
}
