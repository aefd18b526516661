package io.graceful.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar operator/target/graceful-operator.jar} as a user runs it out of cluster, here with the chart's
 * ServiceAccount identity (a token from {@code kubectl create token}), so real RBAC decides every request. Output goes
 * to e2e/target/operator-logs/NAME.log.
 */
final class OperatorProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Process process;
  private final Path log;
  private final int port;
  private final String name;

  private OperatorProcess(String name, Process process, Path log, int port) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts the jar with {@code env} on top of a clean environment and a kubeconfig for the chart's identity. */
  static OperatorProcess start(ControlPlane cp, String name, Path kubeconfig, Map<String, String> env) {
    try {
      Path jar = cp.root().resolve("operator/target/graceful-operator.jar");
      if (!Files.exists(jar)) {
        throw new IllegalStateException(jar + " is missing: the operator module is packaged before the e2e module");
      }
      Path dir = cp.root().resolve("e2e/target/operator-logs");
      Files.createDirectories(dir);
      Path log = dir.resolve(name + ".log");
      int port = freePort();
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx512m", "-jar", jar.toString());
      Map<String, String> e = pb.environment();
      e.keySet().removeIf(k -> k.startsWith("GRACEFUL_") || k.startsWith("POD_") || k.startsWith("KUBERNETES_")
          || k.equals("KUBECONFIG"));
      e.put("KUBECONFIG", kubeconfig.toString());
      e.put("GRACEFUL_HTTP_PORT", Integer.toString(port));
      e.put("GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS", "5");
      e.put("POD_NAME", name);
      e.putAll(env);
      pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
      OperatorProcess p = new OperatorProcess(name, pb.start(), log, port);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  OperatorProcess awaitReady() {
    await("operator " + name + " ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .failFast("operator " + name + " exited before it became ready:\n" + tail(), () -> !process.isAlive())
        .until(() -> get("/readyz").statusCode() == 200);
    return this;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String name() {
    return name;
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "<" + e + ">";
    }
  }

  String tail() {
    String all = log();
    return all.length() > 6000 ? "..." + all.substring(all.length() - 6000) : all;
  }

  /** kill -9: no shutdown hook, no Lease hand-back, as when a node dies. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Waits for the process to end on its own (a start failure, say) and returns its exit code. */
  int awaitExit(Duration atMost) throws InterruptedException {
    if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("operator " + name + " still runs after " + atMost + ":\n" + tail());
    }
    return process.exitValue();
  }

  /** SIGTERM and the exit code. */
  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      terminate();
    }
  }

  /** The Prometheus text of this process's /metrics. */
  String metrics() {
    return get("/metrics").body();
  }

  private HttpResponse<String> get(String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
