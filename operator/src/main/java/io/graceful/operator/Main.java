package io.graceful.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.graceful.operator.admission.AdmissionWebhook;
import io.graceful.operator.config.AdmissionConfig;
import io.graceful.operator.config.InvalidConfigException;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.controller.DecisionListener;
import io.graceful.operator.controller.GracefulPolicyReconciler;
import io.graceful.operator.core.PlanningContext;
import io.graceful.operator.runtime.AdmissionMetrics;
import io.graceful.operator.runtime.HttpEndpoints;
import io.graceful.operator.runtime.LoggingSetup;
import io.graceful.operator.runtime.OperatorMetrics;
import io.graceful.operator.runtime.Preflight;
import io.graceful.operator.runtime.StartFailedException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar graceful-operator.jar}: reads the configuration once, connects with the standard kubeconfig
 * resolution (KUBECONFIG, ~/.kube/config, in-cluster service account) and runs until SIGTERM. Takes no arguments
 * but {@code --version} and {@code --help} (see {@link #commandLine}).
 *
 * <p>Exit codes: 0 after SIGTERM (in-flight work finished), {@value #EXIT_RUNTIME_FAILURE} when the running operator
 * fails for good (an informer stopped with an error, the leader Lease lost), {@value #EXIT_INVALID_CONFIG} for an
 * invalid configuration or an unknown argument, {@value #EXIT_START_FAILURE} when start-up fails or does not finish within
 * {@code GRACEFUL_START_TIMEOUT_SECONDS}. A process that cannot work never stays up.
 */
public final class Main {
  public static final int EXIT_RUNTIME_FAILURE = 1;
  public static final int EXIT_INVALID_CONFIG = 2;
  public static final int EXIT_START_FAILURE = 3;

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  /** Why the process is going down with a non-zero code; null while it is fine (or stopping on SIGTERM). */
  private static final AtomicReference<String> FAILURE = new AtomicReference<>();
  private static final AtomicInteger EXIT_CODE = new AtomicInteger();
  private static final AtomicBoolean STOPPING = new AtomicBoolean();

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    OptionalInt done = commandLine(args, System.out, System.err);
    if (done.isPresent()) {
      System.out.flush();
      System.exit(done.getAsInt());
      return;
    }
    OperatorConfig config;
    try {
      config = OperatorConfig.fromEnvironment(System.getenv());
    } catch (InvalidConfigException e) {
      System.err.println("graceful-operator: " + e.getMessage());
      System.exit(EXIT_INVALID_CONFIG);
      return;
    }
    AdmissionConfig admission;
    try {
      admission = AdmissionConfig.fromEnvironment(System.getenv());
    } catch (InvalidConfigException e) {
      System.err.println("graceful-operator: " + e.getMessage());
      System.exit(EXIT_INVALID_CONFIG);
      return;
    }
    LoggingSetup.apply(config);
    LOG.info("{} starting", BuildInfo.line());
    config.describe().forEach((k, v) -> LOG.info("config {} = {}", k, v));
    admission.describe().forEach((k, v) -> LOG.info("config {} = {}", k, v));
    // the JDK HTTP server writes a response's headers and body separately: without TCP_NODELAY, Nagle's algorithm and
    // the client's delayed ACK add ~40 ms to each admission answer (read once, before the first server is created)
    System.setProperty("sun.net.httpserver.nodelay", "true");
    // created before start-up, so that /metrics answers (graceful_build_info, graceful_leader 0) while it runs
    OperatorMetrics metrics = new OperatorMetrics();

    AtomicReference<KubernetesClient> client = new AtomicReference<>();
    AtomicReference<GracefulOperator> running = new AtomicReference<>();
    AtomicReference<AdmissionWebhook> webhook = new AtomicReference<>();
    CountDownLatch stopped = new CountDownLatch(1);
    // endpoints and the SIGTERM hook come first: informer sync can take a while on a large cluster, and the
    // kubelet probes (and may stop) the pod meanwhile. Starting counts as alive: it is bounded by the start timeout.
    HttpEndpoints endpoints;
    try {
      endpoints = serve(config, () -> liveProblem(running.get()),
          () -> !STOPPING.get() && running.get() != null && running.get().isReady()
              // with admission on, ready once the webhook serves from synced policy caches (the Service's endpoints)
              && (!admission.enabled() || webhook.get() != null && webhook.get().synced()), metrics);
    } catch (StartFailedException e) {
      // no shutdown hook yet, nothing started: one line and the start-failure code
      LOG.error("start failed: {}; exiting with code {}", e.getMessage(), EXIT_START_FAILURE);
      System.exit(EXIT_START_FAILURE);
      return;
    }
    // Runs on SIGTERM (exit code 0) and on every System.exit (the code given to fail()).
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      STOPPING.set(true);
      int code = EXIT_CODE.get();
      if (code == 0) {
        LOG.info("SIGTERM: finishing in-flight work (at most {}s), then exiting",
            config.shutdownTimeout().toSeconds());
      }
      AdmissionWebhook admitting = webhook.get();
      if (admitting != null) {
        admitting.close();
      }
      GracefulOperator operator = running.get();
      if (operator != null) {
        operator.close();
      }
      if (endpoints != null) {
        endpoints.close();
      }
      KubernetesClient c = client.get();
      if (c != null) {
        c.close();
      }
      LOG.info(code == 0 ? "stopped" : "stopped, exit code " + code);
      stopped.countDown();
      // a JVM ended by SIGTERM reports 143 even after a clean shutdown; this one finished its work: exit 0
      Runtime.getRuntime().halt(code);
    }, "shutdown"));

    try {
      client.set(OperatorClient.build());
    } catch (RuntimeException e) {
      fail(EXIT_START_FAILURE, "start failed: cannot configure the Kubernetes client (KUBECONFIG, ~/.kube/config or "
          + "the in-cluster service account): " + Preflight.rootCause(e));
    }
    try {
      running.set(startWithin(client.get(), config, metrics));
    } catch (StartFailedException e) {
      fail(EXIT_START_FAILURE, "start failed: " + e.getMessage());
    }
    if (admission.enabled()) {
      // every replica serves admission, leader or not: the webhook has its own policy informers
      GracefulOperator operator = running.get();
      try {
        webhook.set(AdmissionWebhook.start(client.get(), admission, config.watchNamespaces(),
            operator.clusterScope(), () -> new PlanningContext(operator.nativeSleep(), config.maxReapplies(), java.time.Instant.now()),
            new AdmissionMetrics(metrics.registry())));
      } catch (RuntimeException e) {
        fail(EXIT_START_FAILURE, "start failed: admission webhook: " + Preflight.rootCause(e));
      }
    }
    stopped.await();
  }

  /**
   * Handles the command-line arguments. The operator takes no arguments (its settings are environment variables,
   * as a pod spec sets them), only {@code --version} and {@code --help}.
   *
   * @return the exit code when the process is done ({@code --version}, {@code --help}: 0; anything else: a message
   *     and {@value #EXIT_INVALID_CONFIG}), empty when the operator should run
   */
  static OptionalInt commandLine(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      return OptionalInt.empty();
    }
    if (args.length == 1 && args[0].equals("--version")) {
      out.println(BuildInfo.line());
      return OptionalInt.of(0);
    }
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      out.print(help());
      return OptionalInt.of(0);
    }
    err.println(BuildInfo.NAME + ": unknown argument" + (args.length == 1 ? "" : "s") + " '"
        + String.join(" ", args) + "': the operator is configured through GRACEFUL_* environment variables "
        + "(see --help)");
    return OptionalInt.of(EXIT_INVALID_CONFIG);
  }

  /** The usage text: the settings one a line, from {@link OperatorConfig#SETTINGS} (what the operator reads). */
  static String help() {
    StringBuilder text = new StringBuilder()
        .append(BuildInfo.line()).append(": keeps Deployments' preStop sleep hooks and termination grace periods ")
        .append("consistent, by policy (GracefulPolicy).\n\n")
        .append("Usage: java -jar graceful-operator.jar [--help | --version]\n\n")
        .append("Runs until SIGTERM; connects through KUBECONFIG, ~/.kube/config or the in-cluster service account.\n")
        .append("Exit codes: 0 stopped by SIGTERM, ").append(EXIT_RUNTIME_FAILURE).append(" failed while running, ")
        .append(EXIT_INVALID_CONFIG).append(" invalid configuration or argument, ").append(EXIT_START_FAILURE)
        .append(" start-up failed.\n\n")
        .append("Environment variables (default in brackets):\n");
    int width = OperatorConfig.SETTINGS.stream().mapToInt(s -> s.env().length()).max().orElse(0);
    for (OperatorConfig.Setting setting : OperatorConfig.SETTINGS) {
      text.append("  ").append(String.format("%-" + width + "s", setting.env()))
          .append("  [").append(setting.defaultValue()).append("]  ").append(setting.description()).append('\n');
    }
    return text.toString();
  }

  /**
   * Serves /healthz, /readyz and /metrics on the configured port; none when it is 0.
   *
   * @throws StartFailedException naming the port and its variable when it cannot be bound (taken, not permitted)
   */
  static HttpEndpoints serve(OperatorConfig config, Supplier<Optional<String>> liveProblem, BooleanSupplier ready,
      OperatorMetrics metrics) {
    if (config.httpPort() == 0) {
      return null;
    }
    try {
      return new HttpEndpoints(config.httpPort(), liveProblem, ready, metrics);
    } catch (BindException e) {
      throw new StartFailedException("cannot serve /healthz, /readyz and /metrics: port " + config.httpPort()
          + " (GRACEFUL_HTTP_PORT) is already in use or not permitted (" + e.getMessage() + "); free it or set "
          + "GRACEFUL_HTTP_PORT to another port", e);
    } catch (IOException e) {
      throw new StartFailedException("cannot serve /healthz, /readyz and /metrics on port " + config.httpPort()
          + " (GRACEFUL_HTTP_PORT): " + e, e);
    }
  }

  /** Liveness as /healthz reports it: failed or stopped is not alive; starting is (the start timeout bounds it). */
  static Optional<String> liveProblem(GracefulOperator operator) {
    String failure = FAILURE.get();
    if (failure != null) {
      return Optional.of(failure);
    }
    if (operator == null) {
      return STOPPING.get() ? Optional.of("stopped") : Optional.empty();
    }
    return operator.liveProblem();
  }

  /**
   * {@link GracefulOperator#start} in a thread of its own, bounded by the start timeout: whatever hangs (a
   * black-holed API server, an informer that never syncs), the process gives up with a message naming the server.
   */
  static GracefulOperator startWithin(KubernetesClient client, OperatorConfig config, OperatorMetrics metrics) {
    CompletableFuture<GracefulOperator> started = new CompletableFuture<>();
    Thread starter = new Thread(() -> {
      try {
        started.complete(GracefulOperator.start(client, config, DecisionListener.NONE,
            GracefulPolicyReconciler.PolicyStatusListener.NONE,
            reason -> new Thread(() -> fail(EXIT_RUNTIME_FAILURE, "operator failed: " + reason), "fail").start(),
            metrics));
      } catch (Throwable t) {
        started.completeExceptionally(t);
      }
    }, "start");
    starter.setDaemon(true);
    starter.start();
    String url = Preflight.apiServer(client);
    try {
      return started.get(config.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new StartFailedException("start-up against the API server at " + url + " did not finish within "
          + "GRACEFUL_START_TIMEOUT_SECONDS (" + config.startTimeout().toSeconds() + "s); the last step is logged "
          + "above");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StartFailedException s) {
        throw s;
      }
      throw new StartFailedException("could not start against the API server at " + url + ": "
          + Preflight.rootCause(e.getCause()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartFailedException("interrupted while starting", e);
    }
  }

  /**
   * Logs why, makes /healthz answer 503 with it, and exits with {@code code} (the shutdown hook closes what is
   * open). Nothing to do when SIGTERM already stops the process.
   */
  static void fail(int code, String message) {
    if (STOPPING.get()) {
      LOG.debug("already stopping; not reporting: {}", message);
      return;
    }
    LOG.error("{}; exiting with code {}", message, code);
    FAILURE.compareAndSet(null, message);
    EXIT_CODE.compareAndSet(0, code);
    System.exit(code);
  }
}
