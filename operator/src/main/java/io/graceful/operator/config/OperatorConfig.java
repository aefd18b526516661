package io.graceful.operator.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Everything the operator can be told at start-up. Read once from the environment by {@link #fromEnvironment},
 * validated, logged by {@link #describe()}, then passed in: no other class reads environment variables.
 */
public record OperatorConfig(
    Set<String> watchNamespaces,
    NativeSleepSupport nativeSleep,
    int maxReapplies,
    int reconcileThreads,
    boolean leaderElection,
    String leaseName,
    String leaseNamespace,
    String identity,
    int httpPort,
    Duration shutdownTimeout,
    String logLevel,
    LogFormat logFormat,
    int maxConcurrentRollouts,
    int maxConcurrentRolloutsPerNamespace,
    int rolloutFailureThreshold,
    Duration policySettle,
    Duration retryMaxDelay,
    Duration startTimeout,
    DrainMeasurement drain) {

  /**
   * Drain measurement (off by default): whether the operator watches pods and EndpointSlices to measure how long
   * routing takes to let go of a terminating pod, over what window, and how many samples make a verdict.
   */
  public record DrainMeasurement(boolean enabled, Duration window, int minSamples) {
    public static final DrainMeasurement OFF = new DrainMeasurement(false, Duration.ofHours(24), 10);

    public DrainMeasurement on() {
      return new DrainMeasurement(true, window, minSamples);
    }

    public DrainMeasurement withWindow(Duration window, int minSamples) {
      return new DrainMeasurement(enabled, window, minSamples);
    }
  }

  /** How to decide whether the API server runs the native {@code preStop.sleep} action. */
  public enum NativeSleepSupport { AUTO, TRUE, FALSE }

  public enum LogFormat { TEXT, JSON }

  public static final String PREFIX = "GRACEFUL_";

  /** One documented setting: its environment variable, default and meaning (the README table is built from these). */
  public record Setting(String env, String defaultValue, String description) {}

  public static final List<Setting> SETTINGS = List.of(
      new Setting("GRACEFUL_WATCH_NAMESPACES", "",
          "Comma-separated namespaces to watch; empty watches all namespaces."),
      new Setting("GRACEFUL_NATIVE_SLEEP", "auto",
          "auto: use the native preStop sleep action for action Auto when the API server is >= 1.30; true/false force it."),
      new Setting("GRACEFUL_MAX_REAPPLIES", "3",
          "How many times the operator re-applies a change that something else undid before it stops (state Conflict)."),
      new Setting("GRACEFUL_RECONCILE_THREADS", "10", "Concurrent reconciliations."),
      new Setting("GRACEFUL_LEADER_ELECTION", "false",
          "Elect a leader through a Lease; only the leader reconciles (the Helm chart turns it on)."),
      new Setting("GRACEFUL_LEASE_NAME", "graceful-operator", "Name of the leader-election Lease."),
      new Setting("GRACEFUL_LEASE_NAMESPACE", "",
          "Namespace of the Lease; defaults to POD_NAMESPACE, required when leader election is on."),
      new Setting("POD_NAME", "",
          "Leader-election identity (set from the downward API); defaults to the host name."),
      new Setting("GRACEFUL_HTTP_PORT", "8080",
          "Port of /healthz, /readyz and /metrics; 0 disables the endpoint."),
      new Setting("GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS", "20",
          "On SIGTERM, how long in-flight reconciliations may take before the process exits."),
      new Setting("GRACEFUL_START_TIMEOUT_SECONDS", "120",
          "How long start-up may take (API server reachable, CRD installed, permissions, informer caches synced) "
              + "before the process gives up and exits with code 3."),
      new Setting("GRACEFUL_LOG_LEVEL", "INFO", "TRACE, DEBUG, INFO, WARN or ERROR."),
      new Setting("GRACEFUL_LOG_FORMAT", "text", "text or json (one JSON object per line)."),
      new Setting("GRACEFUL_MAX_CONCURRENT_ROLLOUTS", "10",
          "At most this many Deployments rolling out because of the operator at once; 0 = unlimited."),
      new Setting("GRACEFUL_MAX_CONCURRENT_ROLLOUTS_PER_NAMESPACE", "0",
          "The same cap per namespace; 0 = no per-namespace cap."),
      new Setting("GRACEFUL_ROLLOUT_FAILURE_THRESHOLD", "3",
          "Failed operator-started rollouts that open the circuit breaker (no new rollouts until a person resets it); 0 = never."),
      new Setting("GRACEFUL_POLICY_SETTLE_SECONDS", "2",
          "After a policy of a namespace is created, changed or deleted, Deployment writes there wait until its policies "
              + "have been unchanged this long, so policies applied together roll each Deployment out once; 0 = no wait."),
      new Setting("GRACEFUL_RETRY_MAX_DELAY_SECONDS", "300",
          "Failed reconciliations (refused writes, API errors) are retried forever, the delay doubling from 1 s up to "
              + "this cap, with +-20% jitter."),
      new Setting("GRACEFUL_MEASURE_DRAIN", "false",
          "Measure how long routing takes to let go of governed workloads' terminating pods (watches pods and "
              + "EndpointSlices; needs the chart's drain RBAC): status.drain and condition SleepSufficient."),
      new Setting("GRACEFUL_DRAIN_WINDOW_MINUTES", "1440",
          "Drain samples older than this are forgotten; status.drain describes this window."),
      new Setting("GRACEFUL_DRAIN_MIN_SAMPLES", "10",
          "Drain samples a policy needs before SleepSufficient is True or False and a sleep is recommended."),
      // the admission webhook (AdmissionConfig reads these)
      new Setting("GRACEFUL_ADMISSION_ENABLED", "false",
          "Serve the admission webhook (HTTPS, every replica) that adds the policy's hook when a workload is created "
              + "or updated, and keep its MutatingWebhookConfiguration (the Helm chart turns it on)."),
      new Setting("GRACEFUL_ADMISSION_PORT", "9443", "HTTPS port of the admission webhook."),
      new Setting("GRACEFUL_ADMISSION_WEBHOOK_NAME", "graceful-operator",
          "Name of the MutatingWebhookConfiguration the operator writes."),
      new Setting("GRACEFUL_ADMISSION_SERVICE", "graceful-operator-webhook",
          "Service in front of the webhook (in the operator's namespace): the certificate's DNS names and the "
              + "configuration's clientConfig.service."),
      new Setting("GRACEFUL_ADMISSION_URL", "",
          "URL the API server calls instead of the Service (an operator running outside the cluster); empty: the Service."),
      new Setting("GRACEFUL_ADMISSION_CERT_DIR", "",
          "Directory with tls.crt, tls.key (and ca.crt) from elsewhere (cert-manager), re-read when they change; "
              + "empty: the operator creates its own CA and serving certificate."),
      new Setting("GRACEFUL_ADMISSION_SECRET", "graceful-operator-webhook-tls",
          "Secret (operator's namespace) holding the operator's own webhook CA and serving certificate, shared by the replicas."),
      new Setting("GRACEFUL_ADMISSION_CERT_VALIDITY_MINUTES", "525600",
          "Validity in minutes (at least 2) of the serving certificate the operator creates; renewed under the same CA "
              + "when a third is left, checked every minute (every twelfth of the validity if shorter)."));

  /** Defaults, as documented; what tests and the demo start from. */
  public static OperatorConfig defaults() {
    return fromEnvironment(Map.of());
  }

  public OperatorConfig withWatchNamespaces(Set<String> namespaces) {
    return new OperatorConfig(Set.copyOf(namespaces), nativeSleep, maxReapplies, reconcileThreads, leaderElection,
        leaseName, leaseNamespace, identity, httpPort, shutdownTimeout, logLevel, logFormat, maxConcurrentRollouts,
        maxConcurrentRolloutsPerNamespace, rolloutFailureThreshold, policySettle, retryMaxDelay, startTimeout, drain);
  }

  public OperatorConfig withHttpPort(int port) {
    return new OperatorConfig(watchNamespaces, nativeSleep, maxReapplies, reconcileThreads, leaderElection,
        leaseName, leaseNamespace, identity, port, shutdownTimeout, logLevel, logFormat, maxConcurrentRollouts,
        maxConcurrentRolloutsPerNamespace, rolloutFailureThreshold, policySettle, retryMaxDelay, startTimeout, drain);
  }

  public OperatorConfig withMaxConcurrentRollouts(int total, int perNamespace) {
    return new OperatorConfig(watchNamespaces, nativeSleep, maxReapplies, reconcileThreads, leaderElection,
        leaseName, leaseNamespace, identity, httpPort, shutdownTimeout, logLevel, logFormat, total, perNamespace,
        rolloutFailureThreshold, policySettle, retryMaxDelay, startTimeout, drain);
  }

  public OperatorConfig withFailureThreshold(int failures) {
    return new OperatorConfig(watchNamespaces, nativeSleep, maxReapplies, reconcileThreads, leaderElection,
        leaseName, leaseNamespace, identity, httpPort, shutdownTimeout, logLevel, logFormat, maxConcurrentRollouts,
        maxConcurrentRolloutsPerNamespace, failures, policySettle, retryMaxDelay, startTimeout, drain);
  }

  public OperatorConfig withPolicySettle(Duration settle) {
    return new OperatorConfig(watchNamespaces, nativeSleep, maxReapplies, reconcileThreads, leaderElection,
        leaseName, leaseNamespace, identity, httpPort, shutdownTimeout, logLevel, logFormat, maxConcurrentRollouts,
        maxConcurrentRolloutsPerNamespace, rolloutFailureThreshold, settle, retryMaxDelay, startTimeout, drain);
  }

  public OperatorConfig withRetryMaxDelay(Duration cap) {
    return new OperatorConfig(watchNamespaces, nativeSleep, maxReapplies, reconcileThreads, leaderElection,
        leaseName, leaseNamespace, identity, httpPort, shutdownTimeout, logLevel, logFormat, maxConcurrentRollouts,
        maxConcurrentRolloutsPerNamespace, rolloutFailureThreshold, policySettle, cap, startTimeout, drain);
  }

  public OperatorConfig withLeaderElection(String leaseNamespace, String identity) {
    return new OperatorConfig(watchNamespaces, nativeSleep, maxReapplies, reconcileThreads, true, leaseName,
        leaseNamespace, identity, httpPort, shutdownTimeout, logLevel, logFormat, maxConcurrentRollouts,
        maxConcurrentRolloutsPerNamespace, rolloutFailureThreshold, policySettle, retryMaxDelay, startTimeout, drain);
  }

  public OperatorConfig withDrain(DrainMeasurement measurement) {
    return new OperatorConfig(watchNamespaces, nativeSleep, maxReapplies, reconcileThreads, leaderElection,
        leaseName, leaseNamespace, identity, httpPort, shutdownTimeout, logLevel, logFormat, maxConcurrentRollouts,
        maxConcurrentRolloutsPerNamespace, rolloutFailureThreshold, policySettle, retryMaxDelay, startTimeout,
        measurement);
  }

  /**
   * Reads and validates every setting. Unknown {@code GRACEFUL_*} variables are an error too, because a typo
   * silently ignored is a setting the user believes is on.
   *
   * @throws InvalidConfigException listing every problem at once
   */
  public static OperatorConfig fromEnvironment(Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    Reader r = new Reader(env, problems);
    Set<String> namespaces = new TreeSet<>();
    for (String ns : r.string("GRACEFUL_WATCH_NAMESPACES").split(",")) {
      String trimmed = ns.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (!trimmed.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
        problems.add("GRACEFUL_WATCH_NAMESPACES: '" + trimmed + "' is not a valid namespace name");
      }
      namespaces.add(trimmed);
    }
    NativeSleepSupport nativeSleep = r.oneOf("GRACEFUL_NATIVE_SLEEP", NativeSleepSupport.class);
    int maxReapplies = r.integer("GRACEFUL_MAX_REAPPLIES", 1, 100);
    int threads = r.integer("GRACEFUL_RECONCILE_THREADS", 1, 200);
    boolean leaderElection = r.bool("GRACEFUL_LEADER_ELECTION");
    String leaseName = r.string("GRACEFUL_LEASE_NAME");
    if (!leaseName.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
      problems.add("GRACEFUL_LEASE_NAME: '" + leaseName + "' is not a valid object name");
    }
    String leaseNamespace = r.string("GRACEFUL_LEASE_NAMESPACE");
    if (leaseNamespace.isEmpty()) {
      leaseNamespace = env.getOrDefault("POD_NAMESPACE", "").trim();
    }
    if (leaderElection && leaseNamespace.isEmpty()) {
      problems.add("GRACEFUL_LEADER_ELECTION is true but neither GRACEFUL_LEASE_NAMESPACE nor POD_NAMESPACE is set");
    }
    String identity = env.getOrDefault("POD_NAME", "").trim();
    if (identity.isEmpty()) {
      identity = env.getOrDefault("HOSTNAME", "graceful-operator-" + ProcessHandle.current().pid()).trim();
    }
    int port = r.integer("GRACEFUL_HTTP_PORT", 0, 65535);
    int shutdown = r.integer("GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS", 0, 3600);
    int start = r.integer("GRACEFUL_START_TIMEOUT_SECONDS", 5, 3600);
    String level = r.string("GRACEFUL_LOG_LEVEL").toUpperCase(Locale.ROOT);
    if (!List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(level)) {
      problems.add("GRACEFUL_LOG_LEVEL: '" + level + "' is not one of TRACE, DEBUG, INFO, WARN, ERROR");
    }
    LogFormat format = r.oneOf("GRACEFUL_LOG_FORMAT", LogFormat.class);
    int rollouts = r.integer("GRACEFUL_MAX_CONCURRENT_ROLLOUTS", 0, 100_000);
    int perNamespace = r.integer("GRACEFUL_MAX_CONCURRENT_ROLLOUTS_PER_NAMESPACE", 0, 100_000);
    int failureThreshold = r.integer("GRACEFUL_ROLLOUT_FAILURE_THRESHOLD", 0, 100_000);
    int settle = r.integer("GRACEFUL_POLICY_SETTLE_SECONDS", 0, 300);
    int retryCap = r.integer("GRACEFUL_RETRY_MAX_DELAY_SECONDS", 1, 3600);
    DrainMeasurement drain = new DrainMeasurement(r.bool("GRACEFUL_MEASURE_DRAIN"),
        Duration.ofMinutes(r.integer("GRACEFUL_DRAIN_WINDOW_MINUTES", 1, 43_200)),
        r.integer("GRACEFUL_DRAIN_MIN_SAMPLES", 1, 10_000));

    Set<String> known = new TreeSet<>();
    SETTINGS.forEach(s -> known.add(s.env()));
    env.keySet().stream()
        .filter(k -> k.startsWith(PREFIX) && !known.contains(k))
        .sorted()
        .forEach(k -> problems.add(k + ": unknown setting (known: " + String.join(", ", known) + ")"));
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
    return new OperatorConfig(Set.copyOf(namespaces), nativeSleep, maxReapplies, threads, leaderElection, leaseName,
        leaseNamespace, identity, port, Duration.ofSeconds(shutdown), level, format, rollouts, perNamespace,
        failureThreshold, Duration.ofSeconds(settle), Duration.ofSeconds(retryCap), Duration.ofSeconds(start),
        drain);
  }

  /** Human-readable, one setting per line, for the start-up log. */
  public Map<String, String> describe() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("watchNamespaces", watchNamespaces.isEmpty() ? "<all>" : String.join(",", new TreeSet<>(watchNamespaces)));
    out.put("nativeSleep", nativeSleep.name().toLowerCase(Locale.ROOT));
    out.put("maxReapplies", String.valueOf(maxReapplies));
    out.put("reconcileThreads", String.valueOf(reconcileThreads));
    out.put("leaderElection", leaderElection ? "on (lease " + leaseNamespace + "/" + leaseName + ", identity "
        + identity + ")" : "off");
    out.put("httpPort", httpPort == 0 ? "disabled" : String.valueOf(httpPort));
    out.put("shutdownTimeout", shutdownTimeout.toSeconds() + "s");
    out.put("startTimeout", startTimeout.toSeconds() + "s");
    out.put("log", logLevel + " " + logFormat.name().toLowerCase(Locale.ROOT));
    out.put("maxConcurrentRollouts", maxConcurrentRollouts == 0 ? "unlimited" : String.valueOf(maxConcurrentRollouts));
    out.put("maxConcurrentRolloutsPerNamespace",
        maxConcurrentRolloutsPerNamespace == 0 ? "unlimited" : String.valueOf(maxConcurrentRolloutsPerNamespace));
    out.put("rolloutFailureThreshold",
        rolloutFailureThreshold == 0 ? "never" : String.valueOf(rolloutFailureThreshold));
    out.put("policySettle", policySettle.toSeconds() + "s");
    out.put("retryMaxDelay", retryMaxDelay.toSeconds() + "s");
    out.put("measureDrain", drain.enabled() ? "on (window " + drain.window().toMinutes() + "m, "
        + drain.minSamples() + " samples for a verdict)" : "off");
    return out;
  }

  /** Reads raw values with the documented default and records problems instead of failing at the first one. */
  private static final class Reader {
    private final Map<String, String> env;
    private final List<String> problems;

    Reader(Map<String, String> env, List<String> problems) {
      this.env = env;
      this.problems = problems;
    }

    String string(String key) {
      String value = env.get(key);
      if (value == null) {
        return SETTINGS.stream().filter(s -> s.env().equals(key)).findFirst().map(Setting::defaultValue)
            .orElseThrow();
      }
      return value.trim();
    }

    int integer(String key, int min, int max) {
      String raw = string(key);
      try {
        int value = Integer.parseInt(raw);
        if (value < min || value > max) {
          problems.add(key + ": " + value + " is outside " + min + ".." + max);
        }
        return value;
      } catch (NumberFormatException e) {
        problems.add(key + ": '" + raw + "' is not an integer");
        return min;
      }
    }

    boolean bool(String key) {
      String raw = string(key).toLowerCase(Locale.ROOT);
      return switch (raw) {
        case "true" -> true;
        case "false" -> false;
        default -> {
          problems.add(key + ": '" + raw + "' is not true or false");
          yield false;
        }
      };
    }

    <E extends Enum<E>> E oneOf(String key, Class<E> type) {
      String raw = string(key);
      Function<E, String> lower = e -> e.name().toLowerCase(Locale.ROOT);
      for (E e : type.getEnumConstants()) {
        if (lower.apply(e).equals(raw.toLowerCase(Locale.ROOT))) {
          return e;
        }
      }
      problems.add(key + ": '" + raw + "' is not one of "
          + String.join(", ", Arrays.stream(type.getEnumConstants()).map(lower).toList()));
      return type.getEnumConstants()[0];
    }
  }
}
