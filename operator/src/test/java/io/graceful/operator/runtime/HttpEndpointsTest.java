package io.graceful.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP endpoints through a real HTTP client on a real socket: exactly three paths, GET and HEAD only, the
 * scrape negotiated by the Prometheus client (OpenMetrics when asked), linted by promtool.
 */
class HttpEndpointsTest {
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final AtomicReference<Optional<String>> liveProblem = new AtomicReference<>(Optional.empty());
  private final AtomicBoolean ready = new AtomicBoolean();
  private final OperatorMetrics metrics = new OperatorMetrics("1.2.3");
  private HttpEndpoints endpoints;

  @BeforeEach
  void start() throws IOException {
    endpoints = new HttpEndpoints(0, liveProblem::get, ready::get, metrics);
  }

  @AfterEach
  void stop() {
    endpoints.close();
  }

  private HttpResponse<String> send(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + endpoints.port() + path))
        .timeout(Duration.ofSeconds(5)).method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void getAndHeadAnswerOnTheThreePaths() throws Exception {
    ready.set(true);
    for (String path : List.of("/healthz", "/readyz", "/metrics")) {
      assertThat(send("GET", path).statusCode()).as("GET %s", path).isEqualTo(200);
      HttpResponse<String> head = send("HEAD", path);
      assertThat(head.statusCode()).as("HEAD %s", path).isEqualTo(200);
      assertThat(head.body()).as("HEAD %s has no body", path).isEmpty();
    }
    assertThat(send("GET", "/healthz").body()).isEqualTo("ok\n");
    assertThat(send("GET", "/metrics?name[]=graceful_leader").statusCode()).as("a query string is fine")
        .isEqualTo(200);
  }

  @Test
  void healthAndReadinessReportProblemsWith503() throws Exception {
    assertThat(send("GET", "/readyz").statusCode()).as("not ready yet").isEqualTo(503);
    liveProblem.set(Optional.of("failed: the Deployment informer stopped"));
    HttpResponse<String> health = send("GET", "/healthz");
    assertThat(health.statusCode()).isEqualTo(503);
    assertThat(health.body()).isEqualTo("failed: the Deployment informer stopped\n");
  }

  @Test
  void otherPathsAre404EvenWhenTheyStartLikeAnEndpoint() throws Exception {
    for (String path : List.of("/", "/metricsfoo", "/metrics/", "/metrics/x", "/healthz/", "/readyzz", "/-/healthy",
        "/%6Detrics", "/favicon.ico")) {
      assertThat(send("GET", path).statusCode()).as("GET %s", path).isEqualTo(404);
    }
    assertThat(send("POST", "/metricsfoo").statusCode()).as("an unknown path is 404 whatever the method")
        .isEqualTo(404);
  }

  @Test
  void otherMethodsAre405WithAllow() throws Exception {
    for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
      for (String path : List.of("/healthz", "/readyz", "/metrics")) {
        HttpResponse<String> response = send(method, path);
        assertThat(response.statusCode()).as("%s %s", method, path).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).as("%s %s", method, path).contains("GET, HEAD");
      }
    }
  }

  @Test
  void theScrapeIsPrometheusTextByDefaultAndOpenMetricsWhenAskedFor() throws Exception {
    HttpResponse<String> text = send("GET", "/metrics");
    assertThat(text.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
        .startsWith("text/plain; version=0.0.4"));
    assertThat(text.body()).contains("graceful_build_info{version=\"1.2.3\"} 1").contains("graceful_leader 0");

    HttpResponse<String> open = send("GET", "/metrics", "Accept",
        "application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertThat(open.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
        .startsWith("application/openmetrics-text"));
    assertThat(open.body()).contains("# TYPE graceful_build info").endsWith("# EOF\n");
  }

  @Test
  void theScrapeHasHelpForEveryFamilyAndPassesPromtool() throws Exception {
    String scrape = send("GET", "/metrics").body();
    Exposition.assertEveryFamilyHasHelp(scrape);
    Exposition.assertPromtoolAccepts(scrape);
  }
}
