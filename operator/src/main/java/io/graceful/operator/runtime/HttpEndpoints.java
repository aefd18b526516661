package io.graceful.operator.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * GET /healthz (liveness: 200 unless the operator failed, stopped or has unhealthy informers; the body says why),
 * /readyz (readiness: started and healthy) and /metrics (Prometheus text). Plain JDK HTTP server: nothing else to
 * configure or secure.
 */
public final class HttpEndpoints implements AutoCloseable {
  private final HttpServer server;

  public HttpEndpoints(int port, BooleanSupplier live, BooleanSupplier ready, Supplier<String> metrics)
      throws IOException {
    this(port, () -> live.getAsBoolean() ? Optional.empty() : Optional.of("informers unhealthy"), ready, metrics);
  }

  /**
   * @param liveProblem why the process is not alive (503 with that text), empty when it is (200); asked once per
   *     request
   */
  public HttpEndpoints(int port, Supplier<Optional<String>> liveProblem, BooleanSupplier ready,
      Supplier<String> metrics) throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/healthz", ex -> {
      Optional<String> problem;
      try {
        problem = liveProblem.get();
      } catch (RuntimeException e) {
        problem = Optional.of("health check failed: " + e);
      }
      answer(ex, problem.isEmpty() ? 200 : 503, problem.map(p -> p + "\n").orElse("ok\n"), "text/plain");
    });
    server.createContext("/readyz", ex -> {
      boolean isReady = ready.getAsBoolean();
      answer(ex, isReady ? 200 : 503, isReady ? "ok\n" : "not ready\n", "text/plain");
    });
    server.createContext("/metrics", ex -> answer(ex, 200, metrics.get(),
        "text/plain; version=0.0.4; charset=utf-8"));
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "http-endpoints");
      t.setDaemon(true);
      return t;
    }));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void answer(HttpExchange ex, int code, String body, String type) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
