package io.graceful.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.graceful.operator.BuildInfo;
import io.graceful.operator.core.Change;
import io.graceful.operator.core.WorkloadKind;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The operator's own meters as a freshly started process exposes them, before anything happened: the series alerts
 * and {@code rate()} need exist at 0, the version and leadership are there, and every family is described. (The
 * same checks on a scrape of a running operator with the framework's meters: MetricsTest.)
 */
class OperatorMetricsTest {
  private static Double sample(String scrape, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
    return m.find() ? Double.valueOf(m.group(1)) : null;
  }

  @Test
  void countersExistAtZeroBeforeTheFirstWrite() {
    String scrape = new OperatorMetrics("1.2.3").scrape();
    for (WorkloadKind kind : WorkloadKind.values()) {
      String k = ",kind=\"" + kind.name() + "\"}";
      for (Change change : Change.values()) {
        String series = "graceful_writes_total{change=\"" + change.name().toLowerCase(Locale.ROOT) + "\"" + k;
        // NONE is never written: no series for it
        assertThat(sample(scrape, series)).as(series).isEqualTo(change == Change.NONE ? null : 0.0);
      }
      for (int code : OperatorMetrics.PRE_CREATED_FAILURE_CODES) {
        assertThat(sample(scrape, "graceful_write_failures_total{code=\"" + code + "\"" + k))
            .as("code %s kind %s", code, kind).isEqualTo(0.0);
      }
      assertThat(sample(scrape, "graceful_conflicts_stopped_total{kind=\"" + kind.name() + "\"}")).as(kind.name())
          .isEqualTo(0.0);
    }
    assertThat(sample(scrape, "graceful_policies_invalid")).isEqualTo(0.0);
  }

  @Test
  void buildInfoCarriesTheVersion() {
    assertThat(sample(new OperatorMetrics("1.2.3").scrape(), "graceful_build_info{version=\"1.2.3\"}"))
        .isEqualTo(1.0);
    assertThat(sample(new OperatorMetrics().scrape(), "graceful_build_info{version=\"" + BuildInfo.version() + "\"}"))
        .as("the default is the built version").isEqualTo(1.0);
    assertThat(new OperatorMetrics("1.2.3").scrape()).contains("# TYPE graceful_build_info gauge");
  }

  @Test
  void leaderIsZeroUntilTheProcessLeadsAndFollowsLeadership() {
    OperatorMetrics metrics = new OperatorMetrics("1.2.3");
    assertThat(sample(metrics.scrape(), "graceful_leader")).as("starting: not leading yet").isEqualTo(0.0);
    AtomicBoolean leading = new AtomicBoolean();
    metrics.leaderFrom(leading::get);
    assertThat(sample(metrics.scrape(), "graceful_leader")).as("standby").isEqualTo(0.0);
    leading.set(true);
    assertThat(sample(metrics.scrape(), "graceful_leader")).as("leader").isEqualTo(1.0);
    leading.set(false);
    assertThat(sample(metrics.scrape(), "graceful_leader")).as("stepped down").isEqualTo(0.0);
  }

  @Test
  void everyFamilyHasHelpText() {
    String scrape = new OperatorMetrics("1.2.3").scrape();
    Exposition.assertEveryFamilyHasHelp(scrape);
    assertThat(scrape).contains("# HELP graceful_leader 1 while this process reconciles");
  }

  @Test
  void workloadStatesCarryTheirKind() {
    OperatorMetrics metrics = new OperatorMetrics("1.2.3");
    io.graceful.operator.api.v1alpha1.GracefulPolicy policy = new io.graceful.operator.api.v1alpha1.GracefulPolicy();
    policy.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withNamespace("shop").withName("web")
        .build());
    metrics.policiesFrom(() -> java.util.Set.of(io.graceful.operator.core.PolicyRef.namespaced("shop", "web")));
    io.graceful.operator.api.v1alpha1.GracefulPolicyStatus status = new io.graceful.operator.api.v1alpha1.GracefulPolicyStatus();
    status.setApplied(3);
    metrics.computed(policy, status);
    java.util.Map<io.graceful.operator.api.v1alpha1.DeploymentState, Integer> sts = new java.util.EnumMap<>(
        io.graceful.operator.api.v1alpha1.DeploymentState.class);
    sts.put(io.graceful.operator.api.v1alpha1.DeploymentState.Applied, 2);
    java.util.Map<io.graceful.operator.api.v1alpha1.DeploymentState, Integer> ds = new java.util.EnumMap<>(
        io.graceful.operator.api.v1alpha1.DeploymentState.class);
    ds.put(io.graceful.operator.api.v1alpha1.DeploymentState.Applied, 1);
    metrics.counted(policy, java.util.Map.of(io.graceful.operator.core.WorkloadKind.StatefulSet, sts,
        io.graceful.operator.core.WorkloadKind.DaemonSet, ds));

    String scrape = metrics.scrape();
    assertThat(sample(scrape, "graceful_deployments{kind=\"StatefulSet\",namespace=\"shop\",policy=\"web\","
        + "state=\"Applied\"}")).isEqualTo(2.0);
    assertThat(sample(scrape, "graceful_deployments{kind=\"DaemonSet\",namespace=\"shop\",policy=\"web\","
        + "state=\"Applied\"}")).isEqualTo(1.0);
    assertThat(scrape).as("a kind the policy does not govern has no series")
        .doesNotContain("graceful_deployments{kind=\"Deployment\"");
  }

  @Test
  void writesFailuresAndConflictsCountByKind() {
    OperatorMetrics metrics = new OperatorMetrics("1.2.3");
    io.graceful.operator.core.WorkloadRef db = new io.graceful.operator.core.WorkloadRef(WorkloadKind.StatefulSet,
        "shop", "db");
    metrics.written(plan(db, Change.APPLY, "Applied"));
    metrics.writeFailed(plan(db, Change.APPLY, "Applied"), 403);
    metrics.planned(plan(new io.graceful.operator.core.WorkloadRef(WorkloadKind.DaemonSet, "shop", "proxy"),
        Change.NONE, "FightingAnotherController"));

    String scrape = metrics.scrape();
    assertThat(sample(scrape, "graceful_writes_total{change=\"apply\",kind=\"StatefulSet\"}")).isEqualTo(1.0);
    assertThat(sample(scrape, "graceful_writes_total{change=\"apply\",kind=\"Deployment\"}")).isEqualTo(0.0);
    assertThat(sample(scrape, "graceful_write_failures_total{code=\"403\",kind=\"StatefulSet\"}")).isEqualTo(1.0);
    assertThat(sample(scrape, "graceful_write_failures_total{code=\"403\",kind=\"Deployment\"}")).isEqualTo(0.0);
    assertThat(sample(scrape, "graceful_conflicts_stopped_total{kind=\"DaemonSet\"}")).isEqualTo(1.0);
    assertThat(sample(scrape, "graceful_conflicts_stopped_total{kind=\"StatefulSet\"}")).isEqualTo(0.0);
  }

  @Test
  void failingWritesCountByKind() {
    OperatorMetrics metrics = new OperatorMetrics("1.2.3");
    io.graceful.operator.controller.WriteFailures failures = new io.graceful.operator.controller.WriteFailures();
    metrics.writeFailuresFrom(failures);
    failures.failed(new io.graceful.operator.core.WorkloadRef(WorkloadKind.DaemonSet, "shop", "proxy"), "web", 422,
        "invalid");

    String scrape = metrics.scrape();
    assertThat(sample(scrape, "graceful_deployments_write_failing{kind=\"DaemonSet\"}")).isEqualTo(1.0);
    assertThat(sample(scrape, "graceful_deployments_write_failing{kind=\"Deployment\"}")).isEqualTo(0.0);
  }

  private static io.graceful.operator.core.WorkloadPlan plan(io.graceful.operator.core.WorkloadRef ref, Change change,
      String reason) {
    io.graceful.operator.core.PolicyVerdict verdict = new io.graceful.operator.core.PolicyVerdict("web",
        io.graceful.operator.api.v1alpha1.DeploymentState.Applied, reason, "");
    return new io.graceful.operator.core.WorkloadPlan(ref, java.util.List.of(verdict), "web", null, change,
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode(), "", java.util.List.of());
  }

  /** The check itself must be able to fail: a family without HELP is reported. */
  @Test
  void theHelpCheckFindsAFamilyWithoutHelp() {
    String scrape = "# HELP a_total A.\n# TYPE a_total counter\na_total 0\n# TYPE b gauge\nb 1\n";
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Exposition.assertEveryFamilyHasHelp(scrape))
        .hasMessageContaining("[\"b\"]");
  }
}
