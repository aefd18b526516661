package io.graceful.operator.admission;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.graceful.operator.config.AdmissionConfig;
import io.graceful.operator.core.WebhookCaRotation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's own webhook certificates, in one Secret every replica reads: the first replica creates it, the
 * others take it (a lost create race is a 409, then a read); whoever sees the serving certificate due renews it
 * under the same CA, and whoever sees a CA rotation step due ({@link WebhookCaRotation}) takes it, with an optimistic
 * update (a lost race is a 409, then a read of the winner's).
 */
final class WebhookSecret {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookSecret.class);
  static final String CA_CRT = "ca.crt";
  static final String CA_KEY = "ca.key";
  static final String TLS_CRT = "tls.crt";
  static final String TLS_KEY = "tls.key";
  static final String CA_NEXT_CRT = "ca-next.crt";
  static final String CA_NEXT_KEY = "ca-next.key";
  static final String CA_PREVIOUS_CRT = "ca-previous.crt";
  /** When the current CA rotation phase (next CA added, or switched to it) began. */
  static final String PHASE_SINCE = "graceful.io/ca-rotation-since";

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

  /**
   * What the Secret holds: the CA that signs and the served certificate ({@code pem}), a next CA already trusted but
   * not signing yet, the previous CA still trusted after a switch, and when that phase began (README "Admission").
   */
  record Stored(WebhookCertificates.Pem pem, String nextCaCert, String nextCaKey, String previousCaCert,
      Instant phaseSince) {
    /** What the API server must trust now: every CA the Secret holds, the signing one first. */
    String caBundle() {
      return pem.caCert() + (nextCaCert == null ? "" : nextCaCert) + (previousCaCert == null ? "" : previousCaCert);
    }

    WebhookCaRotation.State caState() throws java.security.GeneralSecurityException, java.io.IOException {
      java.security.cert.X509Certificate ca = WebhookCertificates.certificates(pem.caCert()).get(0);
      return new WebhookCaRotation.State(ca.getNotBefore().toInstant(), ca.getNotAfter().toInstant(),
          nextCaCert != null, previousCaCert != null, phaseSince);
    }
  }

  /** How long a CA rotation phase lasts: every replica has checked the Secret a few times by then. */
  Duration settle() {
    return config.certCheckEvery().multipliedBy(3);
  }

  /** The current certificates, created, renewed or rotated first when needed. */
  Stored current(Instant now) {
    for (int attempt = 0; attempt < 5; attempt++) {
      Secret secret = client.secrets().inNamespace(config.namespace()).withName(config.secretName()).get();
      try {
        if (secret == null) {
          Stored created = new Stored(WebhookCertificates.create(dnsNames(), config.certValidity(), now), null, null,
              null, null);
          client.secrets().inNamespace(config.namespace()).resource(toSecret(null, created)).create();
          LOG.info("created the webhook CA and serving certificate in Secret {}/{}", config.namespace(),
              config.secretName());
          return created;
        }
        Stored stored = fromSecret(secret);
        Stored next;
        String what;
        if (stored == null) {
          // the chart's empty Secret (or one missing a key): a new CA
          next = new Stored(WebhookCertificates.create(dnsNames(), config.certValidity(), now), null, null, null, null);
          what = "created the webhook CA and serving certificate";
        } else {
          Changed changed = advance(stored, now);
          if (changed == null) {
            return stored;
          }
          next = changed.stored();
          what = changed.what();
        }
        client.secrets().inNamespace(config.namespace()).resource(toSecret(secret, next)).update();
        LOG.info("{} in Secret {}/{}", what, config.namespace(), config.secretName());
        return next;
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

  private record Changed(Stored stored, String what) {}

  /** The CA rotation step and the serving certificate's renewal due now; null when nothing is. */
  private Changed advance(Stored s, Instant now) {
    WebhookCaRotation.Step step;
    try {
      step = WebhookCaRotation.decide(s.caState(), now, settle());
    } catch (java.security.GeneralSecurityException | java.io.IOException | RuntimeException e) {
      return new Changed(new Stored(WebhookCertificates.create(dnsNames(), config.certValidity(), now), null, null,
          null, null), "created a new webhook CA (the stored one does not read: " + e.getMessage() + ")");
    }
    WebhookCertificates.Pem pem = s.pem();
    switch (step) {
      case ADD_NEXT -> {
        WebhookCertificates.Pem fresh = WebhookCertificates.create(dnsNames(), config.certValidity(), now);
        Stored added = new Stored(renewedIfDue(pem, now), fresh.caCert(), fresh.caKey(), null, now);
        return new Changed(added, "added a next webhook CA to the trusted ones (it signs from "
            + now.plus(settle()) + " on)");
      }
      case SWITCH -> {
        WebhookCertificates.Pem signed = WebhookCertificates.serving(s.nextCaCert(), s.nextCaKey(), dnsNames(),
            config.certValidity(), now);
        return new Changed(new Stored(signed, null, null, pem.caCert(), now),
            "switched the webhook serving certificate to the next CA (the previous one stays trusted until "
                + now.plus(settle()) + ")");
      }
      case DROP_PREVIOUS -> {
        return new Changed(new Stored(renewedIfDue(pem, now), null, null, null, null),
            "removed the previous webhook CA from the trusted ones");
      }
      default -> {
        if (WebhookCertificates.due(pem.tlsCert(), now)) {
          return new Changed(new Stored(renewedIfDue(pem, now), s.nextCaCert(), s.nextCaKey(), s.previousCaCert(),
              s.phaseSince()), "renewed the webhook serving certificate (same CA)");
        }
        return null;
      }
    }
  }

  private WebhookCertificates.Pem renewedIfDue(WebhookCertificates.Pem pem, Instant now) {
    return WebhookCertificates.due(pem.tlsCert(), now)
        ? WebhookCertificates.serving(pem.caCert(), pem.caKey(), dnsNames(), config.certValidity(), now) : pem;
  }

  private Secret toSecret(Secret existing, Stored stored) {
    WebhookCertificates.Pem pem = stored.pem();
    Map<String, String> data = new java.util.LinkedHashMap<>(Map.of(CA_CRT, b64(pem.caCert()), CA_KEY,
        b64(pem.caKey()), TLS_CRT, b64(pem.tlsCert()), TLS_KEY, b64(pem.tlsKey())));
    if (stored.nextCaCert() != null) {
      data.put(CA_NEXT_CRT, b64(stored.nextCaCert()));
      data.put(CA_NEXT_KEY, b64(stored.nextCaKey()));
    }
    if (stored.previousCaCert() != null) {
      data.put(CA_PREVIOUS_CRT, b64(stored.previousCaCert()));
    }
    SecretBuilder b = existing != null ? new SecretBuilder(existing).withData(data)
        : new SecretBuilder().withNewMetadata().withName(config.secretName()).withNamespace(config.namespace())
            .addToLabels("app.kubernetes.io/managed-by", "graceful-operator").endMetadata()
            .withType("Opaque").withData(data);
    b.editMetadata().removeFromAnnotations(PHASE_SINCE).endMetadata();
    if (stored.phaseSince() != null) {
      b.editMetadata().addToAnnotations(PHASE_SINCE, stored.phaseSince().toString()).endMetadata();
    }
    return b.build();
  }

  /** Null when a key is missing (then the operator starts over with a new CA). */
  private static Stored fromSecret(Secret secret) {
    Map<String, String> d = secret.getData();
    if (d == null || !d.keySet().containsAll(List.of(CA_CRT, CA_KEY, TLS_CRT, TLS_KEY))) {
      return null;
    }
    WebhookCertificates.Pem pem = new WebhookCertificates.Pem(text(d.get(CA_CRT)), text(d.get(CA_KEY)),
        text(d.get(TLS_CRT)), text(d.get(TLS_KEY)));
    boolean next = d.containsKey(CA_NEXT_CRT) && d.containsKey(CA_NEXT_KEY);
    Map<String, String> annotations = secret.getMetadata().getAnnotations();
    Instant since = null;
    try {
      since = annotations == null || annotations.get(PHASE_SINCE) == null ? null
          : Instant.parse(annotations.get(PHASE_SINCE));
    } catch (java.time.format.DateTimeParseException e) {
      // an edited annotation: the phase counts as over
    }
    return new Stored(pem, next ? text(d.get(CA_NEXT_CRT)) : null, next ? text(d.get(CA_NEXT_KEY)) : null,
        d.containsKey(CA_PREVIOUS_CRT) ? text(d.get(CA_PREVIOUS_CRT)) : null, since);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }
}
