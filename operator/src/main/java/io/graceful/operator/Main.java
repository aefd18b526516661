package io.graceful.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.graceful.operator.config.InvalidConfigException;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.controller.DecisionListener;
import io.graceful.operator.controller.GracefulPolicyReconciler;
import io.graceful.operator.runtime.HttpEndpoints;
import io.graceful.operator.runtime.LoggingSetup;
import io.graceful.operator.runtime.Preflight;
import io.graceful.operator.runtime.StartFailedException;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar graceful-operator.jar}: reads the configuration once, connects with the standard kubeconfig
 * resolution (KUBECONFIG, ~/.kube/config, in-cluster service account) and runs until SIGTERM.
 *
 * <p>Exit codes: 0 after SIGTERM (in-flight work finished), {@value #EXIT_RUNTIME_FAILURE} when the running operator
 * fails for good (an informer stopped with an error, the leader Lease lost), {@value #EXIT_INVALID_CONFIG} for an
 * invalid configuration, {@value #EXIT_START_FAILURE} when start-up fails or does not finish within
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
    OperatorConfig config;
    try {
      config = OperatorConfig.fromEnvironment(System.getenv());
    } catch (InvalidConfigException e) {
      System.err.println("graceful-operator: " + e.getMessage());
      System.exit(EXIT_INVALID_CONFIG);
      return;
    }
    LoggingSetup.apply(config);
    config.describe().forEach((k, v) -> LOG.info("config {} = {}", k, v));

    AtomicReference<KubernetesClient> client = new AtomicReference<>();
    AtomicReference<GracefulOperator> running = new AtomicReference<>();
    CountDownLatch stopped = new CountDownLatch(1);
    // endpoints and the SIGTERM hook come first: informer sync can take a while on a large cluster, and the
    // kubelet probes (and may stop) the pod meanwhile. Starting counts as alive: it is bounded by the start timeout.
    HttpEndpoints http = null;
    if (config.httpPort() != 0) {
      try {
        http = new HttpEndpoints(config.httpPort(), () -> liveProblem(running.get()),
            () -> !STOPPING.get() && running.get() != null && running.get().isReady(),
            () -> running.get() == null ? "" : running.get().metrics().scrape());
      } catch (IOException e) {
        LOG.error("start failed: cannot serve /healthz, /readyz and /metrics on port {} (GRACEFUL_HTTP_PORT): {}",
            config.httpPort(), e.toString());
        System.exit(EXIT_START_FAILURE);
        return;
      }
    }
    HttpEndpoints endpoints = http;
    // Runs on SIGTERM (exit code 0) and on every System.exit (the code given to fail()).
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      STOPPING.set(true);
      int code = EXIT_CODE.get();
      if (code == 0) {
        LOG.info("SIGTERM: finishing in-flight work (at most {}s), then exiting",
            config.shutdownTimeout().toSeconds());
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
      running.set(startWithin(client.get(), config));
    } catch (StartFailedException e) {
      fail(EXIT_START_FAILURE, "start failed: " + e.getMessage());
    }
    stopped.await();
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
  static GracefulOperator startWithin(KubernetesClient client, OperatorConfig config) {
    CompletableFuture<GracefulOperator> started = new CompletableFuture<>();
    Thread starter = new Thread(() -> {
      try {
        started.complete(GracefulOperator.start(client, config, DecisionListener.NONE,
            GracefulPolicyReconciler.PolicyStatusListener.NONE,
            reason -> new Thread(() -> fail(EXIT_RUNTIME_FAILURE, "operator failed: " + reason), "fail").start()));
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
