package io.graceful.operator.admission;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.graceful.operator.config.AdmissionConfig;
import io.graceful.operator.controller.ClusterPolicyScope;
import io.graceful.operator.core.AdmissionResult;
import io.graceful.operator.core.AdmissionReviews;
import io.graceful.operator.core.PlanningContext;
import io.graceful.operator.runtime.AdmissionMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The admission webhook (README "Admission"): POST /mutate over HTTPS on every replica, answered from its own
 * policy informers with {@link AdmissionReviews}; the certificates are the operator's own (Secret, renewed under the
 * same CA) or read from a directory (cert-manager) and re-read when they change; the MutatingWebhookConfiguration
 * is written at start and whenever the CA changes. Every decision is logged (MDC: workload, policy) and counted.
 */
public final class AdmissionWebhook implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionWebhook.class);
  private static final int MAX_BODY = 3 * 1024 * 1024;

  private final HttpsServer server;
  private final AdmissionPolicies policies;
  private final ServingKey key = new ServingKey();
  private final ScheduledExecutorService checks;
  private final KubernetesClient client;
  private final AdmissionConfig config;
  private final Set<String> watchNamespaces;
  private volatile String caBundle = "";
  private volatile String servedCert = "";

  private AdmissionWebhook(KubernetesClient client, AdmissionConfig config, Set<String> watchNamespaces,
      ClusterPolicyScope clusterScope, Supplier<PlanningContext> planning, AdmissionMetrics metrics)
      throws IOException, GeneralSecurityException {
    this.client = client;
    this.config = config;
    this.watchNamespaces = watchNamespaces;
    this.policies = new AdmissionPolicies(client, watchNamespaces, clusterScope);
    refreshCertificates();
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(new KeyManager[] {key}, null, null);
    server = HttpsServer.create(new InetSocketAddress(config.port()), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext("/", ex -> {
      try (ex) {
        if (!WebhookConfiguration.PATH.equals(ex.getRequestURI().getRawPath()) || !"POST".equals(ex.getRequestMethod())) {
          reply(ex, 404, "text/plain", "this server answers POST /mutate (AdmissionReview)\n"
              .getBytes(StandardCharsets.UTF_8));
          return;
        }
        long start = System.nanoTime();
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
          body = in.readNBytes(MAX_BODY);
        }
        AdmissionReviews.Answer answer = AdmissionReviews.answer(body, policies::in, planning.get(),
            policies::view);
        reply(ex, 200, "application/json", answer.body());
        long nanos = System.nanoTime() - start;
        metrics.answered(answer.result(), nanos);
        log(answer, nanos);
      }
    });
    server.setExecutor(Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "admission-webhook");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    checks = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "admission-certificates");
      t.setDaemon(true);
      return t;
    });
    checks.scheduleWithFixedDelay(() -> {
      try {
        refreshCertificates();
      } catch (RuntimeException | IOException | GeneralSecurityException e) {
        LOG.warn("checking the webhook certificates failed (the current one is still served): {}", e.toString());
      }
    }, config.certCheckEvery().toMillis(), config.certCheckEvery().toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Starts serving (the operator's certificates created first if needed) and writes the webhook configuration.
   *
   * @param planning the planning context now (the same as the controllers')
   */
  public static AdmissionWebhook start(KubernetesClient client, AdmissionConfig config, Set<String> watchNamespaces,
      ClusterPolicyScope clusterScope, Supplier<PlanningContext> planning, AdmissionMetrics metrics) {
    try {
      AdmissionWebhook webhook = new AdmissionWebhook(client, config, watchNamespaces, clusterScope, planning,
          metrics);
      LOG.info("admission webhook serving on port {} (configuration {})", webhook.port(), config.webhookName());
      return webhook;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot serve the admission webhook on port " + config.port()
          + " (GRACEFUL_ADMISSION_PORT): " + e, e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Whether the policy informers have their first list. */
  public boolean synced() {
    return policies.synced();
  }

  /**
   * Loads the current certificates into the server; on a CA change, writes the caBundle first. Called at start and
   * every {@link AdmissionConfig#certCheckEvery()}.
   */
  synchronized void refreshCertificates() throws IOException, GeneralSecurityException {
    String caPem;
    String certPem;
    String keyPem;
    if (config.certDir().isEmpty()) {
      WebhookSecret.Stored stored = new WebhookSecret(client, config).current(Instant.now());
      caPem = stored.caBundle();
      certPem = stored.pem().tlsCert();
      keyPem = stored.pem().tlsKey();
    } else {
      Path dir = Path.of(config.certDir());
      certPem = Files.readString(dir.resolve(WebhookSecret.TLS_CRT));
      keyPem = Files.readString(dir.resolve(WebhookSecret.TLS_KEY));
      Path ca = dir.resolve(WebhookSecret.CA_CRT);
      caPem = Files.exists(ca) ? Files.readString(ca) : "";
    }
    if (!caPem.isEmpty() && !caPem.equals(caBundle)) {
      // the new CA is trusted before a certificate it signed is served
      boolean written = WebhookConfiguration.apply(client, WebhookConfiguration.build(config, watchNamespaces, caPem));
      caBundle = caPem;
      LOG.info(written ? "wrote the CA to MutatingWebhookConfiguration {}"
          : "MutatingWebhookConfiguration {} already trusts the CA", config.webhookName());
    }
    if (!certPem.equals(servedCert)) {
      key.set(WebhookCertificates.privateKey(keyPem), WebhookCertificates.certificates(certPem));
      servedCert = certPem;
      LOG.info("serving webhook certificate valid until {}", key.certificate().getNotAfter().toInstant());
    }
  }

  /** One line per decision, with the workload under its kind's MDC key as the controllers log it. */
  private static void log(AdmissionReviews.Answer answer, long nanos) {
    String workload = answer.workload() == null ? "? -" : answer.workload();
    int space = workload.indexOf(' ');
    String kindKey = space < 0 ? "workload" : workload.substring(0, space).toLowerCase(java.util.Locale.ROOT);
    try (MDC.MDCCloseable w = MDC.putCloseable(kindKey, space < 0 ? workload : workload.substring(space + 1))) {
      LOG.info("admission {}{} in {} us{}: {}", answer.result().label(), answer.dryRun() ? " (dry run)" : "",
          nanos / 1000, answer.policy() == null ? "" : " (policy " + answer.policy() + ")", answer.reason());
    }
  }

  private static void reply(HttpExchange ex, int code, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    checks.shutdownNow();
    server.stop(0);
    policies.close();
  }
}
