package io.graceful.operator.admission;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.graceful.operator.config.AdmissionConfig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's own webhook certificates, in one Secret every replica reads: the first replica creates it, the
 * others take it (a lost create race is a 409, then a read); whoever sees the serving certificate due renews it
 * under the same CA with an optimistic update (a lost race is a 409, then a read of the winner's).
 */
final class WebhookSecret {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookSecret.class);
  static final String CA_CRT = "ca.crt";
  static final String CA_KEY = "ca.key";
  static final String TLS_CRT = "tls.crt";
  static final String TLS_KEY = "tls.key";

  private final KubernetesClient client;
  private final AdmissionConfig config;

  WebhookSecret(KubernetesClient client, AdmissionConfig config) {
    this.client = client;
    this.config = config;
  }

  /** The Service's DNS names the serving certificate carries. */
  List<String> dnsNames() {
    String s = config.serviceName();
    String ns = config.namespace();
    return List.of(s + "." + ns + ".svc", s + "." + ns + ".svc.cluster.local", s + "." + ns, s);
  }

  /** The current certificates, created or renewed first when needed. */
  WebhookCertificates.Pem current(Instant now) {
    for (int attempt = 0; attempt < 5; attempt++) {
      Secret secret = client.secrets().inNamespace(config.namespace()).withName(config.secretName()).get();
      try {
        if (secret == null) {
          WebhookCertificates.Pem pem = WebhookCertificates.create(dnsNames(), config.certValidity(), now);
          client.secrets().inNamespace(config.namespace()).resource(toSecret(null, pem)).create();
          LOG.info("created the webhook CA and serving certificate in Secret {}/{}", config.namespace(),
              config.secretName());
          return pem;
        }
        WebhookCertificates.Pem pem = fromSecret(secret);
        String what;
        if (pem == null) {
          // the chart's empty Secret (or one missing a key): a new CA
          pem = WebhookCertificates.create(dnsNames(), config.certValidity(), now);
          what = "created the webhook CA and serving certificate";
        } else if (WebhookCertificates.due(pem.tlsCert(), now)) {
          pem = WebhookCertificates.serving(pem.caCert(), pem.caKey(), dnsNames(), config.certValidity(), now);
          what = "renewed the webhook serving certificate (same CA)";
        } else {
          return pem;
        }
        client.secrets().inNamespace(config.namespace()).resource(toSecret(secret, pem)).update();
        LOG.info("{} in Secret {}/{}", what, config.namespace(), config.secretName());
        return pem;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        LOG.debug("another replica wrote Secret {} first; reading it", config.secretName());
      }
    }
    throw new IllegalStateException("could not agree on Secret " + config.namespace() + "/" + config.secretName()
        + " with the other replicas after 5 attempts");
  }

  private Secret toSecret(Secret existing, WebhookCertificates.Pem pem) {
    Map<String, String> data = Map.of(CA_CRT, b64(pem.caCert()), CA_KEY, b64(pem.caKey()), TLS_CRT, b64(pem.tlsCert()),
        TLS_KEY, b64(pem.tlsKey()));
    if (existing != null) {
      return new SecretBuilder(existing).withData(data).build();
    }
    return new SecretBuilder().withNewMetadata().withName(config.secretName()).withNamespace(config.namespace())
        .addToLabels("app.kubernetes.io/managed-by", "graceful-operator").endMetadata()
        .withType("Opaque").withData(data).build();
  }

  /** Null when a key is missing (then the operator starts over with a new CA). */
  private static WebhookCertificates.Pem fromSecret(Secret secret) {
    Map<String, String> d = secret.getData();
    if (d == null || !d.keySet().containsAll(List.of(CA_CRT, CA_KEY, TLS_CRT, TLS_KEY))) {
      return null;
    }
    return new WebhookCertificates.Pem(text(d.get(CA_CRT)), text(d.get(CA_KEY)), text(d.get(TLS_CRT)),
        text(d.get(TLS_KEY)));
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }
}
