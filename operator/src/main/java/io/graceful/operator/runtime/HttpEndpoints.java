package io.graceful.operator.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * GET /healthz (liveness: 200 unless the operator failed, stopped or has unhealthy informers; the body says why),
 * /readyz (readiness: started and healthy) and /metrics (Prometheus), each also answering HEAD. Any other path is
 * 404, any other method 405 with an {@code Allow} header.
 *
 * <p>Why the JDK server with our own routing rather than the Prometheus client's {@code HTTPServer}: that server
 * registers its handlers with {@link HttpServer#createContext}, which matches path <em>prefixes</em> and ignores
 * the method ({@code /metricsfoo} and {@code POST /metrics} would answer 200), and it serves {@code /} and
 * {@code /-/healthy} pages of its own. So one context takes every request and routes by exact path and method here
 * (a dozen lines), and the scrape itself is the client's {@link MetricsHandler}: content negotiation (Prometheus
 * text, OpenMetrics when the scraper asks for it, protobuf), gzip, HEAD and {@code name[]} filtering come with it.
 */
public final class HttpEndpoints implements AutoCloseable {
  /** The methods every endpoint answers; the {@code Allow} header of a 405. */
  static final String ALLOWED = "GET, HEAD";

  private final HttpServer server;

  /**
   * Binds {@code port} (0: any free one) and starts serving.
   *
   * @param liveProblem why the process is not alive (503 with that text), empty when it is (200); asked once per
   *     request
   * @param ready whether the process is ready (200) or not (503)
   * @param metrics what /metrics serves, refreshed before each scrape
   * @throws IOException when the port cannot be bound (in use, not permitted)
   */
  public HttpEndpoints(int port, Supplier<Optional<String>> liveProblem, BooleanSupplier ready,
      OperatorMetrics metrics) throws IOException {
    HttpHandler scrape = new MetricsHandler(metrics.prometheusRegistry());
    Map<String, HttpHandler> routes = Map.of(
        "/healthz", ex -> {
          Optional<String> problem;
          try {
            problem = liveProblem.get();
          } catch (RuntimeException e) {
            problem = Optional.of("health check failed: " + e);
          }
          answer(ex, problem.isEmpty() ? 200 : 503, problem.map(p -> p + "\n").orElse("ok\n"));
        },
        "/readyz", ex -> {
          boolean isReady = ready.getAsBoolean();
          answer(ex, isReady ? 200 : 503, isReady ? "ok\n" : "not ready\n");
        },
        "/metrics", ex -> {
          metrics.refresh();
          scrape.handle(ex);
        });
    server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/", ex -> {
      try (ex) {
        // the raw path: /metrics?name[]=x is /metrics, /metrics/ and /%6Detrics are not
        HttpHandler route = routes.get(ex.getRequestURI().getRawPath());
        if (route == null) {
          answer(ex, 404, "not found: this server answers GET /healthz, /readyz and /metrics\n");
        } else if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
          ex.getResponseHeaders().set("Allow", ALLOWED);
          answer(ex, 405, "method not allowed: " + ex.getRequestMethod() + " (allowed: " + ALLOWED + ")\n");
        } else {
          route.handle(ex);
        }
      }
    });
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

  /** A plain-text answer; a HEAD gets the status and headers only. */
  private static void answer(HttpExchange ex, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    if ("HEAD".equals(ex.getRequestMethod())) {
      ex.sendResponseHeaders(code, -1);
      return;
    }
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
