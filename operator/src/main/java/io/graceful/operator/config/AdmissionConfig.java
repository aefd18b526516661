package io.graceful.operator.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admission webhook's settings (README "Admission"), read once at start-up beside {@link OperatorConfig} from
 * the same environment; the variables are listed in {@link OperatorConfig#SETTINGS} (help, README table, chart).
 *
 * @param enabled serve the webhook and keep its MutatingWebhookConfiguration
 * @param port the HTTPS port of the webhook
 * @param webhookName the name of the MutatingWebhookConfiguration the operator writes
 * @param serviceName the Service in front of the webhook (the certificate's DNS names, the configuration's
 *     clientConfig.service); ignored for clientConfig when {@code url} is set
 * @param url a URL the API server calls instead of the Service (an operator outside the cluster); empty: the Service
 * @param certDir a directory with tls.crt and tls.key from elsewhere (cert-manager), re-read when they change;
 *     empty: the operator creates its own CA and serving certificate, kept in the Secret {@code secretName}
 * @param secretName the Secret holding the operator's own CA and serving certificate, in the operator's namespace
 * @param certValidity how long a serving certificate the operator creates is valid; renewed when a third is left
 *     (minutes, so that a renewal can be watched in a test)
 * @param namespace the operator's namespace (POD_NAMESPACE): the Secret's, and excluded from admission
 */
public record AdmissionConfig(boolean enabled, int port, String webhookName, String serviceName, String url,
    String certDir, String secretName, Duration certValidity, String namespace) {

  /** Below two minutes a renewal would race the certificate check and the API server's TLS handshakes. */
  static final int MIN_VALIDITY_MINUTES = 2;

  /**
   * How often the certificates are checked for renewal (own) or change (directory): every minute, or every twelfth
   * of the validity when that is shorter, so that a short validity is still renewed with most of its last third left.
   */
  public Duration certCheckEvery() {
    Duration twelfth = certValidity.dividedBy(12);
    return twelfth.compareTo(Duration.ofMinutes(1)) < 0 ? twelfth : Duration.ofMinutes(1);
  }

  /** The settings this record reads: those of {@link OperatorConfig#SETTINGS} named GRACEFUL_ADMISSION_*. */
  static List<OperatorConfig.Setting> settings() {
    return OperatorConfig.SETTINGS.stream().filter(s -> s.env().startsWith("GRACEFUL_ADMISSION_")).toList();
  }

  public static AdmissionConfig fromEnvironment(Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    Map<String, String> values = new LinkedHashMap<>();
    for (OperatorConfig.Setting s : settings()) {
      values.put(s.env(), env.getOrDefault(s.env(), s.defaultValue()).trim());
    }
    String enabledRaw = values.get("GRACEFUL_ADMISSION_ENABLED").toLowerCase(java.util.Locale.ROOT);
    if (!enabledRaw.equals("true") && !enabledRaw.equals("false")) {
      problems.add("GRACEFUL_ADMISSION_ENABLED: '" + enabledRaw + "' is not true or false");
    }
    boolean enabled = enabledRaw.equals("true");
    int port = integer(values, "GRACEFUL_ADMISSION_PORT", 1, 65535, problems);
    int minutes = integer(values, "GRACEFUL_ADMISSION_CERT_VALIDITY_MINUTES", MIN_VALIDITY_MINUTES,
        60 * 24 * 3650, problems);
    String url = values.get("GRACEFUL_ADMISSION_URL");
    if (!url.isEmpty() && !url.startsWith("https://")) {
      problems.add("GRACEFUL_ADMISSION_URL: '" + url + "' must start with https://");
    }
    String namespace = env.getOrDefault("POD_NAMESPACE", "").trim();
    if (enabled && namespace.isEmpty()) {
      problems.add("GRACEFUL_ADMISSION_ENABLED is true but POD_NAMESPACE (the Secret's namespace) is not set");
    }
    for (String key : List.of("GRACEFUL_ADMISSION_WEBHOOK_NAME", "GRACEFUL_ADMISSION_SERVICE",
        "GRACEFUL_ADMISSION_SECRET")) {
      if (!values.get(key).matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
        problems.add(key + ": '" + values.get(key) + "' is not a valid object name");
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
    return new AdmissionConfig(enabled, port, values.get("GRACEFUL_ADMISSION_WEBHOOK_NAME"),
        values.get("GRACEFUL_ADMISSION_SERVICE"), url, values.get("GRACEFUL_ADMISSION_CERT_DIR"),
        values.get("GRACEFUL_ADMISSION_SECRET"), Duration.ofMinutes(minutes), namespace);
  }

  private static int integer(Map<String, String> values, String key, int min, int max, List<String> problems) {
    try {
      int v = Integer.parseInt(values.get(key));
      if (v < min || v > max) {
        problems.add(key + ": " + v + " is outside " + min + ".." + max);
      }
      return v;
    } catch (NumberFormatException e) {
      problems.add(key + ": '" + values.get(key) + "' is not an integer");
      return min;
    }
  }

  /** For the start-up log. */
  public Map<String, String> describe() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("admission", !enabled ? "off" : "on (port " + port + ", webhook " + webhookName + ", "
        + (url.isEmpty() ? "service " + namespace + "/" + serviceName : "url " + url) + ", certificates "
        + (certDir.isEmpty() ? "own, Secret " + namespace + "/" + secretName + ", valid " + certValidity.toMinutes()
            + " min" : "from " + certDir) + ")");
    return out;
  }
}
