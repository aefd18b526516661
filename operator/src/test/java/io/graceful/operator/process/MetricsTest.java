package io.graceful.operator.process;

import static io.graceful.operator.it.Fixtures.container;
import static io.graceful.operator.it.Fixtures.deployment;
import static io.graceful.operator.it.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.it.OperatorHarness;
import io.graceful.operator.runtime.Exposition;
import io.graceful.operator.runtime.HttpEndpoints;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus text the operator serves on /metrics ({@code operator.metrics().scrape()}), read as a dashboard
 * would read it: per-policy gauges by state, write counters by change, invalid policies, the framework's and the
 * JVM's metrics; and a deleted policy leaves the gauges.
 */
class MetricsTest {
  private static final Map<String, String> WEB = Map.of("tier", "web");
  private static OperatorHarness h;

  @BeforeAll
  static void start() {
    h = new OperatorHarness("31", OperatorConfig.defaults());
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  private static String scrape() {
    return h.operator.metrics().scrape();
  }

  /** The value of one sample, or null when the series is absent. Labels are in Prometheus (sorted) order. */
  static Double sample(String scrape, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
    return m.find() ? Double.valueOf(m.group(1)) : null;
  }

  static String deployments(String ns, String policy, String state) {
    return "graceful_deployments{kind=\"Deployment\",namespace=\"" + ns + "\",policy=\"" + policy + "\",state=\"" + state + "\"}";
  }

  private static boolean hasSleep(Deployment d, long seconds) {
    LifecycleHandler expected = new LifecycleHandlerBuilder().withNewSleep().withSeconds(seconds).endSleep().build();
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    return c.getLifecycle() != null && expected.equals(c.getLifecycle().getPreStop());
  }

  @Test
  void perPolicyGaugesAndWriteCountersFollowThePoliciesAndADeletedPolicyLeavesTheScrape() {
    String ns = h.newNamespace("metrics");
    Double appliesBefore = sample(scrape(), "graceful_writes_total{change=\"apply\",kind=\"Deployment\"}");
    Double revertsBefore = sample(scrape(), "graceful_writes_total{change=\"revert\",kind=\"Deployment\"}");

    h.client.resource(deployment(ns, "web", WEB, container("app"))).create();
    h.client.resource(deployment(ns, "api", WEB, container("app"))).create();
    h.client.resource(deployment(ns, "batch", Map.of("tier", "batch"), container("app"))).create();
    h.client.resource(policy(ns, "web", WEB, 10, 20L)).create();
    h.awaitDeployment(ns, "web", d -> hasSleep(d, 10));
    h.awaitDeployment(ns, "api", d -> hasSleep(d, 10));
    h.awaitPolicy(ns, "web", p -> p.getStatus().getApplied() == 2 && p.getStatus().getPending() == 0);

    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> Double.valueOf(2.0).equals(sample(scrape(), deployments(ns, "web", "Applied"))));
    String text = scrape();
    assertThat(sample(text, deployments(ns, "web", "Pending"))).isEqualTo(0.0);
    assertThat(sample(text, deployments(ns, "web", "Skipped"))).isEqualTo(0.0);
    assertThat(sample(text, deployments(ns, "web", "Audit"))).isEqualTo(0.0);
    assertThat(sample(text, deployments(ns, "web", "Conflict"))).isEqualTo(0.0);
    assertThat(text).contains("# TYPE graceful_deployments gauge");
    assertThat(sample(text, "graceful_writes_total{change=\"apply\",kind=\"Deployment\"}"))
        .as("two applies counted").isEqualTo((appliesBefore == null ? 0 : appliesBefore) + 2);
    assertThat(text).contains("# TYPE graceful_writes_total counter");
    assertThat(sample(text, "graceful_policies_invalid")).isEqualTo(0.0);
    assertThat(text).as("framework metrics (Micrometer)").containsPattern("(?m)^operator_sdk_\\w+")
        .containsPattern("(?m)^operator_sdk_reconciliations_started_total\\{");
    assertThat(text).as("JVM metrics").containsPattern("(?m)^jvm_memory_used_bytes\\{");

    // an invalid policy (sleep + shutdown above its own floor) is counted, and its deployments gauge is all zero
    GracefulPolicy invalid = policy(ns, "broken", Map.of("tier", "none"), 30, 30L);
    invalid.getSpec().setTerminationGracePeriodSeconds(40L);
    h.client.resource(invalid).create();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> Double.valueOf(1.0).equals(sample(scrape(), "graceful_policies_invalid")));
    assertThat(sample(scrape(), deployments(ns, "broken", "Applied"))).isEqualTo(0.0);

    // delete both policies: the web Deployments are reverted (counted), and the policies' rows leave the scrape
    h.client.resources(GracefulPolicy.class).inNamespace(ns).withName("broken").delete();
    h.client.resources(GracefulPolicy.class).inNamespace(ns).withName("web").delete();
    h.awaitDeployment(ns, "web", d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).getLifecycle() == null);
    h.awaitDeployment(ns, "api", d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).getLifecycle() == null);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> !scrape().contains("namespace=\"" + ns + "\""));
    text = scrape();
    assertThat(text).doesNotContain("policy=\"web\",state=").doesNotContain("policy=\"broken\"");
    assertThat(sample(text, "graceful_policies_invalid")).as("a deleted invalid policy is no longer counted")
        .isEqualTo(0.0);
    assertThat(sample(text, "graceful_writes_total{change=\"revert\",kind=\"Deployment\"}"))
        .as("two reverts counted").isEqualTo((revertsBefore == null ? 0 : revertsBefore) + 2);
    assertThat(sample(text, "graceful_writes_total{change=\"apply\",kind=\"Deployment\"}"))
        .as("the apply counter is a counter: it does not go back").isEqualTo((appliesBefore == null ? 0 : appliesBefore) + 2);
  }

  /**
   * The whole scrape of a running operator, framework and JVM meters included, over HTTP as Prometheus reads it:
   * every family has HELP text, and promtool's linter accepts it.
   */
  @Test
  void theServedScrapeOfARunningOperatorHasHelpEverywhereAndPassesPromtool() throws Exception {
    String ns = h.newNamespace("lint");
    h.client.resource(deployment(ns, "web", WEB, container("app"))).create();
    h.client.resource(policy(ns, "web", WEB, 10, 20L)).create();
    h.awaitDeployment(ns, "web", d -> hasSleep(d, 10));
    try (HttpEndpoints endpoints = new HttpEndpoints(0, java.util.Optional::empty, () -> true,
        h.operator.metrics())) {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://localhost:" + endpoints.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      String scrape = response.body();
      assertThat(scrape).as("the framework's meters are part of it")
          .containsPattern("(?m)^operator_sdk_reconciliations_started_total\\{");
      assertThat(sample(scrape, "graceful_leader")).as("no leader election: this process reconciles").isEqualTo(1.0);
      Exposition.assertEveryFamilyHasHelp(scrape);
      Exposition.assertPromtoolAccepts(scrape);
    }
  }
}
