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
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
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
 * changes nothing (no rollout, no write), nor does a Flux-style forced server-side apply or a {@code helm upgrade};
 * with the webhook stopped, a create still succeeds and the controller repairs it afterwards; creates across a
 * renewal of the serving certificate are all mutated.
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
    return startOperator(name, Map.of());
  }

  private OperatorProcess startOperator(String name, Map<String, String> more) {
    Map<String, String> env = new java.util.HashMap<>(Map.of(
        "POD_NAMESPACE", OperatorInstall.NAMESPACE,
        "GRACEFUL_ADMISSION_ENABLED", "true",
        "GRACEFUL_ADMISSION_PORT", Integer.toString(webhookPort),
        "GRACEFUL_ADMISSION_URL", "https://127.0.0.1:" + webhookPort,
        "GRACEFUL_ADMISSION_WEBHOOK_NAME", WEBHOOK,
        "GRACEFUL_ADMISSION_SECRET", SECRET,
        "GRACEFUL_POLICY_SETTLE_SECONDS", "0"));
    env.putAll(more);
    return OperatorProcess.start(cp, name, install.kubeconfig(), env).awaitReady();
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

  /** The certificate a fresh TLS handshake with the webhook gets (what the API server's next connection sees). */
  private X509Certificate servedCertificate() throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {
        // only read here; the API server checks it against the caBundle
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", webhookPort)) {
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  private String caBundle() {
    return cp.kubectl("get", "mutatingwebhookconfiguration", WEBHOOK, "-o",
        "jsonpath={.webhooks[0].clientConfig.caBundle}").orFail();
  }

  /**
   * Renewal without a failed admission: with a two-minute certificate (renewed when a third is left, checked every
   * ten seconds), Deployments are created one after another across the renewal; every one is stored with the hook,
   * the webhook serves a new certificate afterwards, and the caBundle the API server trusts never changed.
   */
  @Test
  @Order(5)
  void createsAcrossACertificateRenewalAreAllMutated() throws Exception {
    operator.close();
    // the chart's empty Secret again: the operator starts over with a CA and a two-minute serving certificate
    cp.kubectl("patch", "secret", "-n", OperatorInstall.NAMESPACE, SECRET, "--type=json", "-p",
        "[{\"op\":\"remove\",\"path\":\"/data\"}]").orFail();
    operator = startOperator("admission-rotation", Map.of("GRACEFUL_ADMISSION_CERT_VALIDITY_MINUTES", "2"));
    X509Certificate first = servedCertificate();
    assertThat(Duration.between(first.getNotBefore().toInstant(), first.getNotAfter().toInstant()))
        .as("two minutes, issued a minute back-dated").isEqualTo(Duration.ofMinutes(3));
    String ca = caBundle();
    assertThat(ca).isNotEmpty();

    List<String> created = new java.util.ArrayList<>();
    List<String> unhooked = new java.util.ArrayList<>();
    X509Certificate served = first;
    int afterRenewal = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
    while (afterRenewal < 10 && System.nanoTime() < deadline) {
      String name = "rotation-" + created.size();
      // the create's answer is the object as stored
      String hook = cp.kubectlStdin(Manifests.deployment(NS, name, 0), "create", "-f", "-", "-o",
          "jsonpath={.spec.template.spec.containers[0].lifecycle.preStop.sleep.seconds}").orFail();
      created.add(name);
      if (!hook.equals("5")) {
        unhooked.add(name + " (" + hook + ")");
      }
      if (!served.getSerialNumber().equals(first.getSerialNumber())) {
        afterRenewal++;
      } else {
        served = servedCertificate();
      }
      Thread.sleep(500);
    }
    assertThat(served.getSerialNumber()).as("a renewed certificate is served").isNotEqualTo(first.getSerialNumber());
    assertThat(served.getNotAfter()).isAfter(first.getNotAfter());
    assertThat(served.getIssuerX500Principal()).as("same CA").isEqualTo(first.getIssuerX500Principal());
    assertThat(afterRenewal).as("creates after the renewal").isEqualTo(10);
    assertThat(unhooked).as("of %d creates across the renewal, stored without the hook", created.size()).isEmpty();
    assertThat(caBundle()).as("the caBundle did not change").isEqualTo(ca);
    assertThat(operator.log()).contains("renewed the webhook serving certificate (same CA)");
    assertThat(Base64.getDecoder().decode(cp.kubectl("get", "secret", "-n", OperatorInstall.NAMESPACE, SECRET, "-o",
        "jsonpath={.data.tls\\.crt}").orFail())).as("the Secret holds the served certificate")
        .isEqualTo(pem(served).getBytes(StandardCharsets.US_ASCII));
  }

  private static String pem(X509Certificate c) throws Exception {
    return "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(c.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
  }

  /**
   * Flux re-applies its manifest with a forced server-side apply under its own field manager: the fields the webhook
   * added are not in it, so they stay; nothing is stored differently, no rollout, no operator write.
   */
  @Test
  @Order(6)
  void aFluxForcedServerSideApplyOfTheManifestChangesNothing() {
    String[] flux = {"apply", "--server-side", "--force-conflicts", "--field-manager=flux", "-f", "-"};
    cp.kubectlStdin(Manifests.deployment(NS, "flux", 1), flux).orFail();
    assertThat(hook(deployment(k8s, NS, "flux"), "web")).as("born with the hook").isEqualTo("sleep 5");
    await("rolled out").atMost(Duration.ofSeconds(60)).until(() -> Workloads.rolledOut(deployment(k8s, NS, "flux")));
    List<String> replicaSets = Workloads.replicaSets(k8s, deployment(k8s, NS, "flux")).stream()
        .map(rs -> rs.getMetadata().getName()).toList();
    assertThat(replicaSets).hasSize(1);
    long generation = deployment(k8s, NS, "flux").getMetadata().getGeneration();
    int mark = cp.audit().mark();

    for (int sync = 0; sync < 3; sync++) {
      cp.kubectlStdin(Manifests.deployment(NS, "flux", 1), flux).orFail();
    }

    Deployment d = deployment(k8s, NS, "flux");
    assertThat(hook(d, "web")).isEqualTo("sleep 5");
    assertThat(grace(d)).isEqualTo(35L);
    assertThat(d.getMetadata().getGeneration()).as("nothing stored differently").isEqualTo(generation);
    assertThat(Workloads.replicaSets(k8s, d)).as("no rollout").extracting(rs -> rs.getMetadata().getName())
        .containsExactlyElementsOf(replicaSets);
    assertThat(operatorWrites(mark, "flux")).as("operator writes").isEmpty();
  }

  /**
   * {@code helm install} then {@code helm upgrade} of a chart holding the Deployment (the upgrade changes a
   * Deployment annotation, so Helm does send a patch): one ReplicaSet, no operator write.
   */
  @Test
  @Order(7)
  void aHelmUpgradeOfTheChartChangesNothing() throws IOException {
    java.nio.file.Path chart = java.nio.file.Files.createTempDirectory("admission-chart");
    java.nio.file.Files.createDirectories(chart.resolve("templates"));
    java.nio.file.Files.writeString(chart.resolve("Chart.yaml"), "apiVersion: v2\nname: app\nversion: 1.0.0\n");
    java.nio.file.Files.writeString(chart.resolve("templates/deployment.yaml"), Manifests.deployment(NS, "helmed", 1)
        .replace("  labels: {tier: web}\n", "  labels: {tier: web}\n  annotations: {release: \"{{ .Values.release }}\"}\n"));
    String dir = chart.toAbsolutePath().toString();
    cp.helm("install", "app", dir, "-n", NS, "--set", "release=1").orFail();
    assertThat(hook(deployment(k8s, NS, "helmed"), "web")).as("born with the hook").isEqualTo("sleep 5");
    await("rolled out").atMost(Duration.ofSeconds(60))
        .until(() -> Workloads.rolledOut(deployment(k8s, NS, "helmed")));
    List<String> replicaSets = Workloads.replicaSets(k8s, deployment(k8s, NS, "helmed")).stream()
        .map(rs -> rs.getMetadata().getName()).toList();
    assertThat(replicaSets).hasSize(1);
    int mark = cp.audit().mark();

    cp.helm("upgrade", "app", dir, "-n", NS, "--set", "release=2").orFail();

    Deployment d = deployment(k8s, NS, "helmed");
    assertThat(d.getMetadata().getAnnotations()).as("the upgrade was applied").containsEntry("release", "2");
    assertThat(hook(d, "web")).isEqualTo("sleep 5");
    assertThat(grace(d)).isEqualTo(35L);
    await("the Deployment controller saw the upgrade").atMost(Duration.ofSeconds(30))
        .until(() -> Workloads.rolledOut(deployment(k8s, NS, "helmed")));
    assertThat(Workloads.replicaSets(k8s, deployment(k8s, NS, "helmed"))).as("no rollout")
        .extracting(rs -> rs.getMetadata().getName()).containsExactlyElementsOf(replicaSets);
    assertThat(operatorWrites(mark, "helmed")).as("operator writes").isEmpty();
    cp.helm("uninstall", "app", "-n", NS).orFail();
  }
}
