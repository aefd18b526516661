package io.graceful.benchmark;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * An interceptor on the operator's own HTTP client (in the operator JVM) that reports every request it sends, one
 * protocol line each: {@code BENCH req <startNanos> <roundTripNanos> <code> <METHOD> <path?query>}.
 *
 * <p>Why on the client side: against a real kube-apiserver the benchmark cannot record requests inside the server
 * (its audit policy logs only the chart's service accounts, and {@code apiserver_request_total} is not split by
 * client). The operator's client sees exactly what the operator sends, retries included (each attempt passes
 * {@link #before}). Times are {@link System#nanoTime()}, which on Linux is CLOCK_MONOTONIC and therefore comparable
 * with the benchmark JVM's own phase boundaries ({@link ChildOperator} checks this at start-up).
 */
final class ClientRequestLog implements Interceptor {
  /** System property that turns the log on in {@link OperatorProcess}. */
  static final String PROPERTY = "graceful.bench.clientRequestLog";
  static final String NAME = "graceful-bench-request-log";

  /**
   * Carries the start time from {@link #before} to {@link #after}: the request {@code after} sees is rebuilt from
   * the builder {@code before} gets (a new {@link HttpRequest#id()}), so the time rides along as a header. The API
   * server ignores unknown headers.
   */
  static final String START_HEADER = "X-Graceful-Bench-Start";

  private final PrintStream out;

  ClientRequestLog(PrintStream out) {
    this.out = out;
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    builder.setHeader(START_HEADER, Long.toString(System.nanoTime()));
  }

  @Override
  public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    emit(request, response.code());
  }

  @Override
  public void afterConnectionFailure(HttpRequest request, Throwable failure) {
    emit(request, -1);
  }

  private void emit(HttpRequest request, int code) {
    long now = System.nanoTime();
    String start = request.header(START_HEADER);
    long s = start == null ? now : Long.parseLong(start);
    URI uri = request.uri();
    String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    out.println("BENCH req " + s + " " + (now - s) + " " + code + " " + request.method() + " " + path);
  }
}
