package io.graceful.charttests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The PrometheusRule (checked and unit-tested with the real promtool), the Grafana dashboard (valid JSON, only
 * documented metrics) and the ServiceMonitor knobs.
 *
 * <p>promtool: taken from PATH. Without it the promtool tests are skipped with an explicit assumption message,
 * unless the system property {@code graceful.requirePromtool} is true (.ci/run sets it and installs promtool): then
 * a missing promtool fails them.
 */
class MonitoringTest {

  static final List<String> ALERTS = List.of("GracefulOperatorDown", "GracefulOperatorNoLeader",
      "GracefulPoliciesInvalid", "GracefulRolloutsHalted", "GracefulFightDetected", "GracefulWritesFailing");

  /** Metrics that come from Prometheus itself, not from the operator. */
  static final Set<String> PROMETHEUS_METRICS = Set.of("up");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern README_METRIC = Pattern.compile("^\\| `([a-z_:][a-z0-9_:]*)` \\|", Pattern.MULTILINE);
  /** A series name in PromQL: an identifier followed by a label matcher, or any graceful_* identifier. */
  private static final Pattern QUERIED_METRIC =
      Pattern.compile("\\b(graceful_[a-z0-9_]+)\\b|\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{");

  static GenericKubernetesResource prometheusRule(Chart.Rendered r) {
    List<HasMetadata> rules = r.objects().stream().filter(o -> o.getKind().equals("PrometheusRule")).toList();
    assertThat(rules).hasSize(1);
    return (GenericKubernetesResource) rules.get(0);
  }

  static Chart.Rendered renderWithRule() {
    return Chart.Rendered.parse(Chart.template().set("metrics.prometheusRule.enabled", true).call());
  }

  /** The rule file promtool reads: the PrometheusRule's spec.groups under "groups". */
  static String rulesFile(Chart.Rendered r) throws IOException {
    Object groups = ((Map<?, ?>) prometheusRule(r).getAdditionalProperties().get("spec")).get("groups");
    return YAML.writeValueAsString(Map.of("groups", groups));
  }

  @Test
  void prometheusRuleIsOptInAndHasEveryRunbookAlert() throws IOException {
    assertThat(Chart.render().objects()).noneMatch(o -> o.getKind().equals("PrometheusRule"));
    Chart.Rendered r = renderWithRule();
    GenericKubernetesResource rule = prometheusRule(r);
    assertThat(rule.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(rule.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
    JsonNode groups = YAML.readTree(rulesFile(r)).get("groups");
    List<String> alerts = new ArrayList<>();
    groups.forEach(g -> g.get("rules").forEach(rl -> alerts.add(rl.get("alert").asText())));
    assertThat(alerts).containsExactlyElementsOf(ALERTS);
    String readme = Chart.read(Chart.chartDir().resolve("README.md"));
    groups.forEach(g -> g.get("rules").forEach(rl -> {
      String name = rl.get("alert").asText();
      assertThat(rl.at("/annotations/summary").asText()).as("summary of %s", name).isNotBlank();
      assertThat(rl.at("/annotations/description").asText()).as("description of %s", name).isNotBlank();
      assertThat(rl.at("/annotations/runbook_url").asText()).endsWith("README.md#" + name.toLowerCase());
      assertThat(readme).as("runbook section of %s in the chart README", name).contains("#### " + name + "\n");
      assertThat(rl.get("expr").asText()).as("expr of %s selects the release's job", name)
          .contains("job=\"graceful-graceful-operator-metrics\"");
    }));
  }

  @Test
  void alertKnobsLabelsSelectorAndExtraRules() throws IOException {
    Chart.Rendered r = Chart.Rendered.parse(Chart.template()
        .set("metrics.prometheusRule.enabled", true)
        .set("metrics.prometheusRule.labels.release", "kube-prometheus-stack")
        .set("metrics.prometheusRule.selector", "namespace=\"ops\"")
        .set("metrics.prometheusRule.alertLabels.team", "platform")
        .set("metrics.prometheusRule.alerts.GracefulWritesFailing.for", "1h")
        .set("metrics.prometheusRule.alerts.GracefulWritesFailing.severity", "critical")
        .set("metrics.prometheusRule.alerts.GracefulFightDetected.enabled", false)
        .set("metrics.prometheusRule.additionalRules[0].record", "graceful:writes:rate5m")
        .set("metrics.prometheusRule.additionalRules[0].expr", "sum(rate(graceful_writes_total[5m]))")
        .call());
    assertThat(prometheusRule(r).getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
    JsonNode rules = YAML.readTree(rulesFile(r)).at("/groups/0/rules");
    List<String> names = new ArrayList<>();
    rules.forEach(rl -> names.add(rl.has("alert") ? rl.get("alert").asText() : rl.get("record").asText()));
    assertThat(names).doesNotContain("GracefulFightDetected").endsWith("graceful:writes:rate5m");
    rules.forEach(rl -> {
      if (rl.has("alert")) {
        assertThat(rl.get("expr").asText()).contains("namespace=\"ops\"").doesNotContain("job=");
        assertThat(rl.at("/labels/team").asText()).isEqualTo("platform");
      }
      if (rl.path("alert").asText().equals("GracefulWritesFailing")) {
        assertThat(rl.get("for").asText()).isEqualTo("1h");
        assertThat(rl.at("/labels/severity").asText()).isEqualTo("critical");
      }
    });
  }

  @Test
  void promtoolCheckRulesAcceptsTheRule() throws Exception {
    Path dir = promtoolDir();
    Files.writeString(dir.resolve("rules.yaml"), rulesFile(renderWithRule()), StandardCharsets.UTF_8);
    String out = promtool(dir, "check", "rules", "rules.yaml");
    assertThat(out).contains("SUCCESS: " + ALERTS.size() + " rules found");
  }

  /** Each alert fires on its input series and stays quiet on healthy ones (src/test/resources/promtool). */
  @Test
  void promtoolUnitTestsOfEveryAlertPass() throws Exception {
    Path dir = promtoolDir();
    Files.writeString(dir.resolve("rules.yaml"), rulesFile(renderWithRule()), StandardCharsets.UTF_8);
    Path tests = Path.of("src/test/resources/promtool/alerts-test.yaml").toAbsolutePath();
    String text = Chart.read(tests);
    for (String alert : ALERTS) {
      assertThat(text).as("a firing case of %s in %s", alert, tests)
          .containsPattern("alertname: " + alert + "\\n        exp_alerts:\\n          - exp_labels:");
    }
    Files.copy(tests, dir.resolve("alerts-test.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    String out = promtool(dir, "test", "rules", "alerts-test.yaml");
    assertThat(out).contains("SUCCESS");
  }

  private static Path promtoolDir() throws IOException {
    Path dir = Path.of("target/promtool").toAbsolutePath();
    Files.createDirectories(dir);
    return dir;
  }

  /** Runs promtool in dir; fails with its output on a non-zero exit. */
  private static String promtool(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add("promtool");
    cmd.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      if (Boolean.getBoolean("graceful.requirePromtool")) {
        throw new AssertionError("promtool is not on PATH but graceful.requirePromtool=true (.ci/run installs it: "
            + "apt-get install -y --no-install-recommends prometheus)", e);
      }
      Assumptions.abort("promtool is not on PATH: PrometheusRule not checked by promtool. Install it (Debian/Ubuntu: "
          + "apt-get install -y --no-install-recommends prometheus) or run with -Dgraceful.requirePromtool=true "
          + "to make its absence a failure");
      throw new AssertionError("unreachable");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    System.out.printf("%s -> exit %d%n%s%n", cmd, p.exitValue(), out);
    assertThat(p.exitValue()).as("%s in %s:%n%s", cmd, dir, out).isZero();
    return out;
  }

  // ---- metric names: only what the operator documents ----

  /** The metric names of the project README's "Metrics" table. */
  static Set<String> documentedMetrics() {
    String readme = Chart.read(Chart.root().resolve("README.md"));
    Set<String> names = new TreeSet<>();
    Matcher m = README_METRIC.matcher(readme);
    while (m.find()) {
      if (m.group(1).startsWith("graceful_")) {
        names.add(m.group(1));
      }
    }
    assertThat(names).as("metrics in the README's Metrics table").contains("graceful_deployments");
    return names;
  }

  static Set<String> queriedMetrics(String promql) {
    Set<String> names = new TreeSet<>();
    Matcher m = QUERIED_METRIC.matcher(promql);
    while (m.find()) {
      names.add(m.group(1) != null ? m.group(1) : m.group(2));
    }
    return names;
  }

  @Test
  void metricNameExtractionFindsSelectorsAndBareNames() {
    assertThat(queriedMetrics("sum by (state) (graceful_deployments{job=~\"$job\"}) > 0 or max(graceful_leader)"
        + " or absent(up{job=\"x\"} == 1) or rate(foo_total [5m])"))
        .containsExactlyInAnyOrder("graceful_deployments", "graceful_leader", "up");
  }

  @Test
  void alertsQueryOnlyDocumentedMetrics() throws IOException {
    Set<String> allowed = new TreeSet<>(documentedMetrics());
    allowed.addAll(PROMETHEUS_METRICS);
    JsonNode groups = YAML.readTree(rulesFile(renderWithRule())).get("groups");
    groups.forEach(g -> g.get("rules").forEach(rl -> assertThat(queriedMetrics(rl.get("expr").asText()))
        .as("metrics of alert %s (documented: %s)", rl.get("alert").asText(), allowed).isNotEmpty()
        .isSubsetOf(allowed)));
  }

  /** {@code x_bucket}, {@code x_sum}, {@code x_count} of a documented histogram {@code x} are that family. */
  static String histogramFamily(String name, Set<String> documented) {
    String base = name.replaceFirst("_(bucket|sum|count)$", "");
    return !base.equals(name) && documented.contains(base) ? base : name;
  }

  static Path dashboardFile() {
    return Chart.chartDir().resolve("dashboards/graceful-operator.json");
  }

  @Test
  void dashboardIsValidJsonAndQueriesOnlyDocumentedMetrics() throws IOException {
    JsonNode dashboard = JSON.readTree(Chart.read(dashboardFile()));
    assertThat(dashboard.get("uid").asText()).isEqualTo("graceful-operator");
    assertThat(dashboard.get("panels")).isNotEmpty();
    List<String> queries = new ArrayList<>();
    collectQueries(dashboard, queries);
    assertThat(queries).hasSizeGreaterThan(10);
    Set<String> allowed = new TreeSet<>(documentedMetrics());
    allowed.addAll(PROMETHEUS_METRICS);
    Set<String> used = new TreeSet<>();
    for (String q : queries) {
      Set<String> metrics = new TreeSet<>();
      queriedMetrics(q).forEach(n -> metrics.add(histogramFamily(n, allowed)));
      assertThat(metrics).as("metrics of query %s (documented: %s)", q, allowed).isSubsetOf(allowed);
      used.addAll(metrics);
    }
    // every documented operator metric is on the dashboard
    assertThat(used).containsAll(documentedMetrics());
    // every panel has a title, a description and a unique id; every target names the datasource variable
    Set<Integer> ids = new TreeSet<>();
    dashboard.get("panels").forEach(p -> {
      assertThat(p.get("title").asText()).isNotBlank();
      assertThat(p.get("description").asText()).isNotBlank();
      assertThat(ids.add(p.get("id").asInt())).as("unique panel id %s", p.get("id")).isTrue();
      p.get("targets").forEach(t -> assertThat(t.at("/datasource/uid").asText()).isEqualTo("${datasource}"));
    });
  }

  private static void collectQueries(JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> {
        if ((e.getKey().equals("expr") || e.getKey().equals("query") || e.getKey().equals("definition"))
            && e.getValue().isTextual()) {
          if (!e.getValue().asText().equals("prometheus")) { // the datasource variable's plugin type
            out.add(e.getValue().asText());
          }
        } else {
          collectQueries(e.getValue(), out);
        }
      });
    } else if (node.isArray()) {
      node.forEach(n -> collectQueries(n, out));
    }
  }

  @Test
  void dashboardConfigMapIsOptInAndCarriesTheFile() {
    assertThat(Chart.render().all(ConfigMap.class)).isEmpty();
    ConfigMap cm = Chart.Rendered.parse(Chart.template().set("metrics.grafanaDashboard.enabled", true)
        .set("metrics.grafanaDashboard.namespace", "monitoring")
        .set("metrics.grafanaDashboard.annotations.grafana_folder", "Operators").call()).one(ConfigMap.class);
    assertThat(cm.getMetadata().getNamespace()).isEqualTo("monitoring");
    assertThat(cm.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(cm.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Operators");
    assertThat(cm.getData().get("graceful-operator.json")).isEqualTo(Chart.read(dashboardFile()).strip());
  }

  @Test
  void serviceMonitorHonoursOperatorLabelsAndTakesRelabelings() {
    GenericKubernetesResource sm = (GenericKubernetesResource) Chart.Rendered.parse(Chart.template()
            .set("metrics.serviceMonitor.enabled", true)
            .set("metrics.serviceMonitor.relabelings[0].action", "labeldrop")
            .set("metrics.serviceMonitor.relabelings[0].regex", "pod")
            .set("metrics.serviceMonitor.metricRelabelings[0].action", "drop")
            .set("metrics.serviceMonitor.metricRelabelings[0].sourceLabels[0]", "__name__")
            .set("metrics.serviceMonitor.metricRelabelings[0].regex", "jvm_.*")
            .call()).objects().stream().filter(o -> o.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();
    JsonNode endpoint = JSON.valueToTree(sm.getAdditionalProperties().get("spec")).at("/endpoints/0");
    assertThat(endpoint.get("honorLabels").asBoolean()).isTrue();
    assertThat(endpoint.at("/relabelings/0/action").asText()).isEqualTo("labeldrop");
    assertThat(endpoint.at("/metricRelabelings/0/regex").asText()).isEqualTo("jvm_.*");
    // defaults: honorLabels only, no relabeling lists
    JsonNode plain = JSON.valueToTree(((GenericKubernetesResource) Chart.Rendered.parse(Chart.template()
        .set("metrics.serviceMonitor.enabled", true).call()).objects().stream()
        .filter(o -> o.getKind().equals("ServiceMonitor")).findFirst().orElseThrow())
        .getAdditionalProperties().get("spec")).at("/endpoints/0");
    assertThat(plain.has("relabelings")).isFalse();
    assertThat(plain.has("metricRelabelings")).isFalse();
  }

  /**
   * kube-prometheus-stack in another namespace picks up ServiceMonitors and PrometheusRules from its own namespace
   * only (by default): both can be put there, and the ServiceMonitor still scrapes the release namespace.
   */
  @Test
  void serviceMonitorAndPrometheusRuleCanLiveInPrometheusNamespace() {
    Chart.Rendered custom = Chart.render("custom.yaml");
    HasMetadata sm = custom.objects().stream().filter(o -> o.getKind().equals("ServiceMonitor")).findFirst()
        .orElseThrow();
    assertThat(sm.getMetadata().getNamespace()).isEqualTo("monitoring");
    JsonNode spec = JSON.valueToTree(((GenericKubernetesResource) sm).getAdditionalProperties().get("spec"));
    assertThat(spec.at("/namespaceSelector/matchNames").toString()).isEqualTo("[\"" + Chart.NAMESPACE + "\"]");
    assertThat(prometheusRule(custom).getMetadata().getNamespace()).isEqualTo("monitoring");
    // everything else stays in the release namespace
    custom.objects().stream().filter(o -> o.getMetadata().getNamespace() != null)
        .filter(o -> !List.of("ServiceMonitor", "PrometheusRule", "ConfigMap").contains(o.getKind()))
        .forEach(o -> assertThat(o.getMetadata().getNamespace()).as(Chart.id(o)).isEqualTo(Chart.NAMESPACE));

    // defaults: the release namespace
    Chart.Rendered plain = Chart.Rendered.parse(Chart.template().set("metrics.serviceMonitor.enabled", true)
        .set("metrics.prometheusRule.enabled", true).call());
    assertThat(plain.objects()).filteredOn(o -> o.getKind().equals("ServiceMonitor")).singleElement()
        .satisfies(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE));
    assertThat(prometheusRule(plain).getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
  }
}
