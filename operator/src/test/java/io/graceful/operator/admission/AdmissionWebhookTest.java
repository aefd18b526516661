package io.graceful.operator.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.graceful.operator.api.v1alpha1.ClusterGracefulPolicy;
import io.graceful.operator.api.v1alpha1.ClusterGracefulPolicySpec;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import io.graceful.operator.api.v1alpha1.PreStopSpec;
import io.graceful.operator.config.AdmissionConfig;
import io.graceful.operator.controller.ClusterPolicyScope;
import io.graceful.operator.core.PlanningContext;
import io.graceful.operator.runtime.AdmissionMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The webhook glue against the mock API server (CRUD): it creates its CA and serving certificate in the Secret,
 * writes the MutatingWebhookConfiguration with that CA, answers AdmissionReviews over HTTPS from its own policy
 * cache, and serves a renewed certificate (same CA) from the next handshake on with no failed request.
 */
class AdmissionWebhookTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NS = "graceful-system";
  private KubernetesMockServer server;
  private KubernetesClient client;
  private AdmissionWebhook webhook;
  private final AdmissionConfig config = new AdmissionConfig(true, 0, "graceful-test", "graceful-webhook",
      "https://127.0.0.1:9443", "", "graceful-webhook-tls", Duration.ofHours(24), NS);

  @BeforeEach
  void start() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(List.of()), false);
    server.init();
    client = server.createClient();
    GracefulPolicySpec spec = new GracefulPolicySpec();
    spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("tier", "web")).build());
    spec.setPreStop(new PreStopSpec(5L, null));
    spec.setShutdownSeconds(30L);
    GracefulPolicy policy = new GracefulPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("web")
        .withCreationTimestamp("2024-01-01T00:00:00Z").build());
    policy.setSpec(spec);
    client.resource(policy).create();
    webhook = AdmissionWebhook.start(client, config, Set.of(), ClusterPolicyScope.OFF,
        () -> new PlanningContext(true, 3),
        new AdmissionMetrics(new SimpleMeterRegistry()));
    await().atMost(Duration.ofSeconds(10)).until(webhook::synced);
  }

  @AfterEach
  void stop() {
    if (webhook != null) {
      webhook.close();
    }
    client.close();
    server.destroy();
  }

  private Secret secret() {
    return client.secrets().inNamespace(NS).withName(config.secretName()).get();
  }

  private static String text(Secret s, String key) {
    return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
  }

  private HttpClient trusting(String caPem) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    int i = 0;
    for (X509Certificate ca : WebhookCertificates.certificates(caPem)) {
      trust.setCertificateEntry("ca" + i++, ca);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(2)).build();
  }

  private static String review() {
    return review("shop");
  }

  private static String review(String namespace) {
    Deployment d = new DeploymentBuilder().withNewMetadata().withNamespace(namespace).withName("web")
        .withLabels(Map.of("tier", "web")).endMetadata()
        .withNewSpec().withNewSelector().withMatchLabels(Map.of("app", "web")).endSelector()
        .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "web")).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer().endSpec()
        .endTemplate().endSpec().build();
    ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request").put("uid", "u-1").put("operation", "CREATE")
        .put("namespace", namespace).put("name", "web");
    request.putObject("kind").put("group", "apps").put("version", "v1").put("kind", "Deployment");
    request.set("object", JSON.valueToTree(d));
    return review.toString();
  }

  /** One request on a new connection (a new TLS handshake); the serving certificate's serial. */
  private BigInteger admit(HttpClient http) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + webhook.port()
        + "/mutate")).header("Content-Type", "application/json").timeout(Duration.ofSeconds(5))
        .POST(HttpRequest.BodyPublishers.ofString(review())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode response = JSON.readTree(r.body()).path("response");
    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.path("uid").asText()).isEqualTo("u-1");
    assertThat(new String(Base64.getDecoder().decode(response.path("patch").asText()), StandardCharsets.UTF_8))
        .contains("\"sleep\":{\"seconds\":5}");
    SSLSession session = r.sslSession().orElseThrow();
    return ((X509Certificate) session.getPeerCertificates()[0]).getSerialNumber();
  }

  @Test
  void servesMutationsWithItsOwnCertificateAndConfiguration() throws Exception {
    Secret s = secret();
    assertThat(s.getData()).containsKeys("ca.crt", "ca.key", "tls.crt", "tls.key");
    MutatingWebhookConfiguration mwc = client.admissionRegistration().v1().mutatingWebhookConfigurations()
        .withName("graceful-test").get();
    assertThat(mwc.getWebhooks()).singleElement().satisfies(w -> {
      assertThat(new String(Base64.getDecoder().decode(w.getClientConfig().getCaBundle()), StandardCharsets.UTF_8))
          .isEqualTo(text(s, "ca.crt"));
      assertThat(w.getClientConfig().getUrl()).isEqualTo("https://127.0.0.1:9443/mutate");
      assertThat(w.getFailurePolicy()).isEqualTo("Ignore");
    });
    BigInteger serial = admit(HttpClient.newBuilder().sslContext(trusting(text(s, "ca.crt")).sslContext()).build());
    assertThat(serial).isEqualTo(WebhookCertificates.certificates(text(s, "tls.crt")).get(0).getSerialNumber());
  }

  @Test
  void aRenewedCertificateIsServedWithoutAFailedRequest() throws Exception {
    Secret s = secret();
    String ca = text(s, "ca.crt");
    BigInteger before = admit(trusting(ca));
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger answered = new AtomicInteger();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread load = new Thread(() -> {
      while (running.get()) {
        try {
          admit(trusting(ca));
          answered.incrementAndGet();
        } catch (Throwable t) {
          failures.add(t);
        }
      }
    });
    load.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> answered.get() >= 5);
    // another replica renewed the serving certificate in the Secret (same CA)
    WebhookCertificates.Pem renewed = WebhookCertificates.serving(ca, text(s, "ca.key"),
        new WebhookSecret(client, config).dnsNames(), config.certValidity(), Instant.now());
    client.secrets().inNamespace(NS).resource(new SecretBuilder(s).addToData("tls.crt",
        Base64.getEncoder().encodeToString(renewed.tlsCert().getBytes(StandardCharsets.UTF_8))).addToData("tls.key",
        Base64.getEncoder().encodeToString(renewed.tlsKey().getBytes(StandardCharsets.UTF_8))).build()).update();
    webhook.refreshCertificates();
    int atSwitch = answered.get();
    await().atMost(Duration.ofSeconds(10)).until(() -> answered.get() >= atSwitch + 5);
    running.set(false);
    load.join();

    assertThat(failures).as("failed admissions during the renewal").isEmpty();
    BigInteger after = admit(trusting(ca));
    assertThat(after).isNotEqualTo(before)
        .isEqualTo(WebhookCertificates.certificates(renewed.tlsCert()).get(0).getSerialNumber());
    assertThat(client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("graceful-test").get()
        .getWebhooks().get(0).getClientConfig().getCaBundle()).as("the caBundle did not change")
        .isEqualTo(Base64.getEncoder().encodeToString(ca.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aConfigurationTheChartMadeGetsOnlyTheCaBundle() {
    AdmissionConfig chart = new AdmissionConfig(true, 0, "chart-made", "graceful-webhook", "", "",
        "graceful-webhook-tls", Duration.ofHours(24), NS);
    MutatingWebhookConfiguration made = WebhookConfiguration.build(chart, Set.of(), "unused");
    made.getWebhooks().get(0).getClientConfig().setCaBundle(null);
    made.getWebhooks().get(0).setTimeoutSeconds(5);
    client.resource(made).create();

    WebhookConfiguration.apply(client, WebhookConfiguration.build(chart, Set.of(), "CA PEM"));

    MutatingWebhookConfiguration after = client.admissionRegistration().v1().mutatingWebhookConfigurations()
        .withName("chart-made").get();
    assertThat(after.getWebhooks().get(0).getClientConfig().getCaBundle())
        .isEqualTo(Base64.getEncoder().encodeToString("CA PEM".getBytes(StandardCharsets.UTF_8)));
    assertThat(after.getWebhooks().get(0).getClientConfig().getService().getName()).isEqualTo("graceful-webhook");
    assertThat(after.getWebhooks().get(0).getTimeoutSeconds()).as("the rest is the chart's").isEqualTo(5);
  }

  @Test
  void aCertificateWithAThirdOfItsValidityLeftIsDue() {
    WebhookCertificates.Pem pem = WebhookCertificates.create(List.of("svc.ns.svc"), Duration.ofHours(30),
        Instant.parse("2030-01-01T00:00:00Z"));
    assertThat(WebhookCertificates.due(pem.tlsCert(), Instant.parse("2030-01-01T19:00:00Z"))).isFalse();
    assertThat(WebhookCertificates.due(pem.tlsCert(), Instant.parse("2030-01-01T20:01:00Z"))).isTrue();
    assertThat(WebhookCertificates.due("not a certificate", Instant.now())).isTrue();
  }

  /** Whether a CA of the PEM bundle signed the certificate (what the API server checks with its caBundle). */
  private static boolean trusted(String certPem, String bundlePem) throws Exception {
    java.security.cert.X509Certificate cert = WebhookCertificates.certificates(certPem).get(0);
    for (java.security.cert.X509Certificate ca : WebhookCertificates.certificates(bundlePem)) {
      try {
        cert.verify(ca.getPublicKey());
        return true;
      } catch (java.security.GeneralSecurityException e) {
        // another CA of the bundle
      }
    }
    return false;
  }

  /**
   * CA rotation with an overlap, as the replicas see it through the Secret, seven years on: the next CA is trusted
   * before it signs, the old one stays trusted until the settle time after the switch; at every step the certificate
   * served before and the one served after are both trusted by the caBundle of before and of after, so no admission
   * fails whichever replica answers and whichever caBundle the API server has.
   */
  @Test
  void theCaIsRotatedWithAnOverlapSoNoAdmissionFails() throws Exception {
    WebhookSecret secret = new WebhookSecret(client, config);
    Duration settle = secret.settle();
    assertThat(settle).isEqualTo(Duration.ofMinutes(3));
    Instant t0 = Instant.now();
    WebhookSecret.Stored s0 = secret.current(t0);
    assertThat(WebhookCertificates.certificates(s0.caBundle())).hasSize(1);

    Instant t1 = t0.plus(Duration.ofDays(7 * 365));
    WebhookSecret.Stored added = secret.current(t1);
    assertThat(added.nextCaCert()).as("a next CA, trusted").isNotNull();
    assertThat(added.pem().caCert()).as("still signing with the old CA").isEqualTo(s0.pem().caCert());
    assertThat(WebhookCertificates.certificates(added.caBundle())).hasSize(2);
    assertThat(secret().getMetadata().getAnnotations()).containsEntry(WebhookSecret.PHASE_SINCE, t1.toString());

    WebhookSecret.Stored waiting = secret.current(t1.plus(settle).minusSeconds(1));
    assertThat(waiting.pem().tlsCert()).as("no switch before the settle time").isEqualTo(added.pem().tlsCert());
    assertThat(waiting.caBundle()).isEqualTo(added.caBundle());

    Instant t2 = t1.plus(settle);
    WebhookSecret.Stored switched = secret.current(t2);
    assertThat(switched.pem().caCert()).as("the next CA signs now").isEqualTo(added.nextCaCert());
    assertThat(switched.previousCaCert()).isEqualTo(s0.pem().caCert());
    assertThat(switched.nextCaCert()).isNull();

    Instant t3 = t2.plus(settle);
    WebhookSecret.Stored dropped = secret.current(t3);
    assertThat(dropped.caBundle()).as("only the new CA").isEqualTo(added.nextCaCert());
    assertThat(dropped.pem().tlsCert()).isEqualTo(switched.pem().tlsCert());
    assertThat(secret().getMetadata().getAnnotations()).doesNotContainKey(WebhookSecret.PHASE_SINCE);
    assertThat(secret().getData()).doesNotContainKeys(WebhookSecret.CA_NEXT_CRT, WebhookSecret.CA_PREVIOUS_CRT);

    List<WebhookSecret.Stored> steps = List.of(s0, added, switched, dropped);
    for (int i = 1; i < steps.size(); i++) {
      WebhookSecret.Stored before = steps.get(i - 1);
      WebhookSecret.Stored after = steps.get(i);
      assertThat(trusted(after.pem().tlsCert(), before.caBundle())).as("step %d: new certificate, old caBundle", i)
          .isTrue();
      assertThat(trusted(before.pem().tlsCert(), after.caBundle())).as("step %d: old certificate, new caBundle", i)
          .isTrue();
    }
    // and the check must be able to fail: the first certificate is not trusted by the final caBundle alone
    assertThat(trusted(s0.pem().tlsCert(), dropped.caBundle())).isFalse();
  }

  @Test
  void theWebhookWritesTheBundleWithBothCasDuringARotation() throws Exception {
    WebhookSecret secret = new WebhookSecret(client, config);
    WebhookSecret.Stored added = secret.current(Instant.now().plus(Duration.ofDays(7 * 365)));
    webhook.refreshCertificates();
    String bundle = new String(Base64.getDecoder().decode(client.admissionRegistration().v1()
        .mutatingWebhookConfigurations().withName("graceful-test").get().getWebhooks().get(0).getClientConfig()
        .getCaBundle()), StandardCharsets.UTF_8);
    assertThat(bundle).isEqualTo(added.caBundle()).contains(added.nextCaCert()).startsWith(added.pem().caCert());
  }

  /** The JSON Patch the webhook answers for a Deployment {@code web} (tier: web) created in the namespace; "" if none. */
  private String patchFor(HttpClient http, String namespace) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + webhook.port()
        + "/mutate")).header("Content-Type", "application/json").timeout(Duration.ofSeconds(5))
        .POST(HttpRequest.BodyPublishers.ofString(review(namespace))).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode response = JSON.readTree(r.body()).path("response");
    assertThat(response.path("allowed").asBoolean()).isTrue();
    return response.has("patch")
        ? new String(Base64.getDecoder().decode(response.path("patch").asText()), StandardCharsets.UTF_8) : "";
  }

  /**
   * With cluster policies served, the webhook plans with them too, from informers of its own (ClusterGracefulPolicies
   * and Namespaces, on every replica): a namespace the cluster policy selects by label gets its hook, one it does not
   * select gets nothing, and a namespaced GracefulPolicy overrides the cluster policy where it matches.
   */
  @Test
  void clusterPoliciesAreAppliedAtAdmissionToTheNamespacesTheySelect() throws Exception {
    webhook.close();
    for (String[] ns : new String[][] {{"payments", "payments"}, {"shop", "payments"}, {"other", "none"}}) {
      client.resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(ns[0])
          .withLabels(Map.of("team", ns[1], "kubernetes.io/metadata.name", ns[0])).endMetadata().build()).create();
    }
    ClusterGracefulPolicySpec spec = new ClusterGracefulPolicySpec();
    spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("tier", "web")).build());
    spec.setNamespaceSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("team", "payments")).build());
    spec.setPreStop(new PreStopSpec(7L, null));
    spec.setShutdownSeconds(30L);
    ClusterGracefulPolicy cluster = new ClusterGracefulPolicy();
    cluster.setMetadata(new ObjectMetaBuilder().withName("platform").withCreationTimestamp("2024-01-01T00:00:00Z")
        .build());
    cluster.setSpec(spec);
    client.resource(cluster).create();

    webhook = AdmissionWebhook.start(client, config, Set.of(), ClusterPolicyScope.served(NS),
        () -> new PlanningContext(true, 3), new AdmissionMetrics(new SimpleMeterRegistry()));
    await().atMost(Duration.ofSeconds(10)).until(webhook::synced);
    HttpClient http = trusting(text(secret(), "ca.crt"));

    assertThat(patchFor(http, "payments")).as("selected by the cluster policy").contains("\"sleep\":{\"seconds\":7}")
        .contains("cluster/platform");
    assertThat(patchFor(http, "other")).as("a namespace the cluster policy does not select").isEmpty();
    assertThat(patchFor(http, "shop")).as("the namespaced policy overrides the cluster policy")
        .contains("\"sleep\":{\"seconds\":5}").doesNotContain("\"seconds\":7");

    // the webhook's own caches follow a Namespace's labels
    client.namespaces().withName("other").edit(n -> new io.fabric8.kubernetes.api.model.NamespaceBuilder(n)
        .editMetadata().addToLabels("team", "payments").endMetadata().build());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(patchFor(http, "other")).contains("\"sleep\":{\"seconds\":7}"));
  }
}
