package io.graceful.benchmark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.graceful.operator.admission.AdmissionWebhook;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import io.graceful.operator.api.v1alpha1.PreStopSpec;
import io.graceful.operator.config.AdmissionConfig;
import io.graceful.operator.core.PlanningContext;
import io.graceful.operator.runtime.AdmissionMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@code java -jar benchmark/target/graceful-benchmark.jar admission [--namespaces 1000 --policies 3
 * --requests 20000 --warmup 5000 --concurrency 4]}: the admission webhook's answer time as the API server sees it.
 * The real webhook (its own policy informers, certificates and configuration) runs against the mock API server with
 * {@code namespaces} x {@code policies} GracefulPolicies; a client that trusts the webhook's CA sends AdmissionReviews
 * (CREATE of a Deployment a policy selects: every one is mutated) over HTTPS with keep-alive, {@code concurrency} at a
 * time, and reports percentiles of the round trip (read, plan, fixpoint check, answer, TLS on loopback).
 */
final class AdmissionBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AdmissionBenchmark() {
  }

  static void run(Map<String, String> opts) throws Exception {
    // as Main sets it for the operator: TCP_NODELAY on the JDK HTTP server's connections
    System.setProperty("sun.net.httpserver.nodelay", "true");
    int namespaces = Integer.parseInt(opts.getOrDefault("namespaces", "1000"));
    int policies = Integer.parseInt(opts.getOrDefault("policies", "3"));
    int requests = Integer.parseInt(opts.getOrDefault("requests", "20000"));
    int warmup = Integer.parseInt(opts.getOrDefault("warmup", "5000"));
    int concurrency = Integer.parseInt(opts.getOrDefault("concurrency", "4"));
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(List.of()), false);
    server.init();
    try (KubernetesClient client = server.createClient()) {
      for (int n = 0; n < namespaces; n++) {
        for (int p = 0; p < policies; p++) {
          GracefulPolicySpec spec = new GracefulPolicySpec();
          spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("tier", "web-" + p)).build());
          spec.setPreStop(new PreStopSpec(5L + p, null));
          spec.setShutdownSeconds(30L);
          GracefulPolicy policy = new GracefulPolicy();
          policy.setMetadata(new ObjectMetaBuilder().withNamespace("ns-" + n).withName("policy-" + p)
              .withCreationTimestamp("2024-01-01T00:00:0" + p + "Z").build());
          policy.setSpec(spec);
          client.resource(policy).create();
        }
      }
      AdmissionConfig config = new AdmissionConfig(true, 0, "graceful-benchmark", "graceful-webhook",
          "https://127.0.0.1:9443", "", "graceful-webhook-tls", Duration.ofHours(24), "graceful-system");
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      try (AdmissionWebhook webhook = AdmissionWebhook.start(client, config, Set.of(),
          io.graceful.operator.controller.ClusterPolicyScope.OFF, () -> new PlanningContext(true, 3), new AdmissionMetrics(registry))) {
        while (!webhook.synced()) {
          Thread.sleep(50);
        }
        String ca = new String(Base64.getDecoder().decode(client.secrets().inNamespace("graceful-system")
            .withName("graceful-webhook-tls").get().getData().get("ca.crt")), StandardCharsets.UTF_8);
        HttpClient http = trusting(ca);
        URI uri = URI.create("https://127.0.0.1:" + webhook.port() + "/mutate");
        System.out.printf("admission benchmark: %d namespaces x %d policies, %d requests (after %d warm-up), "
            + "concurrency %d, %d cores%n", namespaces, policies, requests, warmup, concurrency,
            Runtime.getRuntime().availableProcessors());
        send(http, uri, warmup, concurrency, namespaces, policies);
        long start = System.nanoTime();
        long[] nanos = send(http, uri, requests, concurrency, namespaces, policies);
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(nanos);
        System.out.printf("round trip ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f  (%.0f requests/s)%n",
            pct(nanos, 50), pct(nanos, 90), pct(nanos, 99), pct(nanos, 99.9), nanos[nanos.length - 1] / 1e6,
            requests / seconds);
        System.out.printf("server side (graceful_admission_duration_seconds) mean %.2f ms, max %.2f ms; mutated %.0f%n",
            registry.get("graceful.admission.duration").timer().mean(java.util.concurrent.TimeUnit.MILLISECONDS),
            registry.get("graceful.admission.duration").timer().max(java.util.concurrent.TimeUnit.MILLISECONDS),
            registry.get("graceful.admission.requests").tag("result", "mutated").counter().count());
      }
    } finally {
      server.destroy();
    }
  }

  private static long[] send(HttpClient http, URI uri, int count, int concurrency, int namespaces, int policies)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<long[]>> parts = new ArrayList<>();
      for (int t = 0; t < concurrency; t++) {
        int worker = t;
        int share = count / concurrency + (t < count % concurrency ? 1 : 0);
        parts.add(pool.submit(() -> {
          long[] out = new long[share];
          for (int i = 0; i < share; i++) {
            int n = (worker * 7919 + i) % namespaces;
            String body = review("ns-" + n, "app-" + worker + "-" + i, "web-" + (i % policies));
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
            out[i] = System.nanoTime() - t0;
            if (r.statusCode() != 200 || !r.body().contains("\"patch\"")) {
              throw new IllegalStateException("unexpected answer " + r.statusCode() + ": " + r.body());
            }
          }
          return out;
        }));
      }
      long[] all = new long[count];
      int at = 0;
      for (Future<long[]> f : parts) {
        long[] part = f.get();
        System.arraycopy(part, 0, all, at, part.length);
        at += part.length;
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  private static String review(String namespace, String name, String tier) {
    Deployment d = new DeploymentBuilder().withNewMetadata().withNamespace(namespace).withName(name)
        .withLabels(Map.of("tier", tier)).endMetadata()
        .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
        .withNewTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(30L)
        .addNewContainer().withName("app").withImage("registry.example/app:1.0").endContainer()
        .addNewContainer().withName("proxy").withImage("registry.example/proxy:1.0").endContainer()
        .endSpec().endTemplate().endSpec().build();
    ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request").put("uid", java.util.UUID.randomUUID().toString())
        .put("operation", "CREATE").put("namespace", namespace).put("name", name);
    request.putObject("kind").put("group", "apps").put("version", "v1").put("kind", "Deployment");
    request.set("object", JSON.valueToTree(d));
    return review.toString();
  }

  private static double pct(long[] sorted, double p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }

  private static HttpClient trusting(String caPem) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII))));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build();
  }
}
