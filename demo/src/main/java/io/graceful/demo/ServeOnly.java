package io.graceful.demo;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code java -jar graceful-demo.jar --serve-only --kubeconfig FILE [--timeout SECONDS]}: the demo's API server
 * and examples without the in-process operator, for an operator started elsewhere (image/prove.sh runs the
 * container image's operator against it). Writes a kubeconfig for the server, then reports on standard output,
 * one line each, when the first workload carries the operator's annotation and when the examples have
 * converged (the same check as the demo: every policy's status caught up and a written workload of every kind the
 * examples hold), with wall-clock times in epoch milliseconds so that the caller can subtract its own start time.
 * Serves until killed; exits 1 if the operator has not converged within the timeout.
 *
 * <p>Lines (stable, parsed by image/prove.sh):
 * <pre>
 * serve-only: ready server=http://127.0.0.1:PORT/ kubeconfig=FILE objects=N
 * serve-only: first-reconcile epoch-ms=T workload=KIND/NAMESPACE/NAME
 * serve-only: converged epoch-ms=T workloads-changed=N deployments=N statefulsets=N daemonsets=N
 * </pre>
 */
final class ServeOnly {

  static final String PREFIX = "serve-only: ";
  private static final Duration POLL = Duration.ofMillis(100);

  private final EmbeddedApiServer server;
  private final List<HasMetadata> before;
  private final PrintStream out;

  private ServeOnly(EmbeddedApiServer server, List<HasMetadata> before, PrintStream out) {
    this.server = server;
    this.before = before;
    this.out = out;
  }

  /** Starts the server, loads the CRD and examples/, writes {@code kubeconfig} and prints the ready line. */
  static ServeOnly start(Path kubeconfig, PrintStream out) throws IOException {
    EmbeddedApiServer server = EmbeddedApiServer.start();
    try {
      KubernetesClient client = server.client();
      ExampleLoader.createCrd(client);
      List<HasMetadata> loaded = ExampleLoader.createExamples(client);
      // 127.0.0.1, not the mock server's "localhost": a client in a minimal root filesystem (the image: no
      // /etc/hosts) may not resolve the name, and the address is the same loopback interface.
      URI url = URI.create(server.url());
      String address = "http://127.0.0.1:" + url.getPort() + "/";
      Files.writeString(kubeconfig, kubeconfig(address));
      out.printf("%sready server=%s kubeconfig=%s objects=%d%n", PREFIX, address, kubeconfig, loaded.size());
      out.flush();
      return new ServeOnly(server, DemoMain.workloads(client), out);
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /**
   * Waits for the operator's first write (a workload carrying {@link Tables#APPLIED_POLICY}), then for
   * convergence; prints a line for each. False, with what is missing printed, if either does not happen in time.
   */
  boolean awaitReconciled(Duration timeout) throws InterruptedException {
    KubernetesClient client = server.client();
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<HasMetadata> first = Optional.empty();
    while (first.isEmpty() && System.nanoTime() < deadline) {
      first = DemoMain.workloads(client).stream()
          .filter(w -> !"-".equals(Tables.annotation(w, Tables.APPLIED_POLICY, "-"))).findFirst();
      if (first.isEmpty()) {
        Thread.sleep(POLL.toMillis());
      }
    }
    if (first.isEmpty()) {
      out.printf("%snot-reconciled: no workload carries %s after %d s%n", PREFIX, Tables.APPLIED_POLICY,
          timeout.toSeconds());
      return false;
    }
    HasMetadata w = first.get();
    out.printf("%sfirst-reconcile epoch-ms=%d workload=%s/%s/%s%n", PREFIX, System.currentTimeMillis(),
        w.getKind().toLowerCase(), w.getMetadata().getNamespace(), w.getMetadata().getName());
    out.flush();
    Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    List<String> missing = DemoMain.awaitConverged(client, left);
    if (!missing.isEmpty()) {
      out.printf("%snot-converged after %d s: %s%n", PREFIX, timeout.toSeconds(), missing);
      return false;
    }
    Map<String, Long> changed = DemoMain.changed(before, DemoMain.workloads(client));
    out.printf("%sconverged epoch-ms=%d workloads-changed=%d%s%n", PREFIX, System.currentTimeMillis(),
        changed.values().stream().mapToLong(Long::longValue).sum(), changed.entrySet().stream()
            .map(e -> " " + e.getKey().toLowerCase() + "s=" + e.getValue()).collect(Collectors.joining()));
    out.flush();
    return true;
  }

  KubernetesClient client() {
    return server.client();
  }

  void close() {
    server.close();
  }

  private static String kubeconfig(String server) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: graceful-demo
          cluster:
            server: %s
        contexts:
        - name: graceful-demo
          context:
            cluster: graceful-demo
            user: graceful-demo
            namespace: default
        current-context: graceful-demo
        users:
        - name: graceful-demo
          user:
            token: not-checked-by-the-embedded-server
        """.formatted(server);
  }

  /** The command line: returns the process exit code, or blocks serving until the process is killed. */
  static int main(List<String> args, PrintStream out, PrintStream err) throws Exception {
    Path kubeconfig = null;
    Duration timeout = Duration.ofSeconds(120);
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      boolean hasValue = i + 1 < args.size();
      if (arg.equals("--kubeconfig") && hasValue) {
        kubeconfig = Path.of(args.get(++i));
      } else if (arg.equals("--timeout") && hasValue) {
        timeout = Duration.ofSeconds(Long.parseLong(args.get(++i)));
      } else if (!arg.equals("--serve-only")) {
        err.println("unknown argument: " + arg);
        kubeconfig = null;
        break;
      }
    }
    if (kubeconfig == null) {
      err.println("usage: java -jar graceful-demo.jar [--serve-only --kubeconfig FILE [--timeout SECONDS]]");
      return 2;
    }
    ServeOnly serving = start(kubeconfig, out);
    if (!serving.awaitReconciled(timeout)) {
      serving.close();
      return 1;
    }
    // until SIGTERM: the caller stops the operator first and may still read from the server meanwhile
    Thread.currentThread().join();
    return 0;
  }
}
