package io.graceful.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.graceful.operator.config.InvalidConfigException;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.runtime.HttpEndpoints;
import io.graceful.operator.runtime.LoggingSetup;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar graceful-operator.jar}: reads the configuration once, connects with the standard kubeconfig
 * resolution (KUBECONFIG, ~/.kube/config, in-cluster service account) and runs until SIGTERM.
 */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) throws Exception {
    OperatorConfig config;
    try {
      config = OperatorConfig.fromEnvironment(System.getenv());
    } catch (InvalidConfigException e) {
      System.err.println("graceful-operator: " + e.getMessage());
      System.exit(2);
      return;
    }
    LoggingSetup.apply(config);
    Logger log = LoggerFactory.getLogger(Main.class);
    config.describe().forEach((k, v) -> log.info("config {} = {}", k, v));

    KubernetesClient client = new KubernetesClientBuilder().build();
    AtomicReference<GracefulOperator> running = new AtomicReference<>();
    AtomicBoolean stopping = new AtomicBoolean();
    CountDownLatch stopped = new CountDownLatch(1);
    // endpoints and the SIGTERM hook come first: informer sync can take a while on a large cluster, and the
    // kubelet probes (and may stop) the pod meanwhile
    HttpEndpoints http = config.httpPort() == 0 ? null : new HttpEndpoints(config.httpPort(),
        () -> running.get() == null || running.get().isLive(),
        () -> !stopping.get() && running.get() != null && running.get().isReady(),
        () -> running.get() == null ? "" : running.get().metrics().scrape());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopping.set(true);
      log.info("SIGTERM: finishing in-flight work (at most {}s), then exiting", config.shutdownTimeout().toSeconds());
      GracefulOperator operator = running.get();
      if (operator != null) {
        operator.close();
      }
      if (http != null) {
        http.close();
      }
      client.close();
      log.info("stopped");
      stopped.countDown();
      // a JVM ended by SIGTERM reports 143 even after a clean shutdown; this one finished its work: exit 0
      Runtime.getRuntime().halt(0);
    }, "shutdown"));
    running.set(GracefulOperator.start(client, config));
    stopped.await();
  }
}
