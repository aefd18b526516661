package io.graceful.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The committed CRD on a real API server: structural schema accepted, descriptions reach {@code kubectl explain},
 * printer columns reach {@code kubectl get gp}, and invalid policies are refused by the server itself (schema bounds,
 * enums, the CEL rule) with the CRD's own messages.
 */
class CrdIT {
  private static final String NS = "e2e-crd";
  private static ControlPlane cp;

  @BeforeAll
  static void install() {
    cp = ControlPlane.get();
    OperatorInstall.ensure(cp);
    cp.freshNamespace(NS);
  }

  @Test
  void explainShowsTheFieldDescriptions() {
    String out = cp.kubectl("explain", "gracefulpolicy.spec.preStop").orFail();
    assertThat(out).contains("KIND:", "GracefulPolicy", "sleepSeconds", "action");
    // each field's description, not just its name
    String sleep = cp.kubectl("explain", "gracefulpolicy.spec.preStop.sleepSeconds").orFail();
    assertThat(sleep).containsIgnoringCase("DESCRIPTION").containsIgnoringCase("SIGTERM");
    String shortName = cp.kubectl("explain", "gp.spec.shutdownSeconds").orFail();
    assertThat(shortName).contains("shutdownSeconds");
  }

  @Test
  void getShowsThePrinterColumns() {
    cp.kubectlStdin(policy("columns", "sleepSeconds: 7", "shutdownSeconds: 12"), "apply", "-f", "-").orFail();
    String out = cp.kubectl("get", "gp", "-n", NS, "columns").orFail();
    String header = out.lines().findFirst().orElseThrow();
    assertThat(header.split("\\s+")).containsExactly("NAME", "SLEEP", "SHUTDOWN", "MODE", "MATCHED", "APPLIED",
        "READY", "AGE");
    assertThat(out.lines().skip(1).findFirst().orElseThrow().split("\\s+")).startsWith("columns", "7", "12");
    assertThat(cp.kubectl("get", "gpol", "-n", NS).orFail()).contains("columns");
    String wide = cp.kubectl("get", "gp", "-n", NS, "columns", "-o", "wide").orFail();
    assertThat(wide.lines().findFirst().orElseThrow().split("\\s+")).containsExactly("NAME", "SLEEP", "SHUTDOWN",
        "MODE", "ACTION", "MATCHED", "APPLIED", "PENDING", "SKIPPED", "AUDIT", "CONFLICTS", "READY", "AGE");
    // the category: `kubectl get graceful` lists every kind of the project
    assertThat(cp.kubectl("get", "graceful", "-n", NS, "-o", "name").orFail())
        .contains("gracefulpolicy.graceful.io/columns");
  }

  @Test
  void explainDocumentsTheSelectorAndTheConditions() {
    assertThat(cp.kubectl("explain", "gp.spec.selector.matchExpressions.operator").orFail())
        .contains("DoesNotExist", "compared");
    assertThat(cp.kubectl("explain", "gp.status.conditions.lastTransitionTime").orFail())
        .contains("changed status");
  }

  @Test
  void aSelectorRequirementWithoutOperatorIsRejected() {
    Cli.Result r = cp.kubectlStdin(policy("bad-selector", "sleepSeconds: 5").replace(
        "matchLabels: {app: none}", "matchExpressions: [{key: app}]"), "apply", "-f", "-");
    assertThat(r.ok()).as(r.toString()).isFalse();
    assertThat(r.stderr()).contains("operator");
  }

  @Test
  void theServerDefaultsShutdownSeconds() {
    cp.kubectlStdin(policy("defaults", "sleepSeconds: 5"), "apply", "-f", "-").orFail();
    assertThat(cp.kubectl("get", "gp", "-n", NS, "defaults", "-o", "jsonpath={.spec.shutdownSeconds}").orFail())
        .isEqualTo("10");
  }

  @Test
  void theServerDefaultsWorkloadsToDeploymentsAcceptsRolloutAndRefusesAnUnservedKind() {
    cp.kubectlStdin(policy("default-kinds", "sleepSeconds: 5"), "apply", "-f", "-").orFail();
    assertThat(cp.kubectl("get", "gp", "-n", NS, "default-kinds", "-o", "jsonpath={.spec.workloads}").orFail())
        .isEqualTo("[\"Deployment\"]");
    // Argo Rollouts are a served kind (governed while their CRD exists); a kind the operator cannot govern is not
    cp.kubectlStdin(policy("rollouts", "sleepSeconds: 5", "workloads: [StatefulSet, Rollout]"), "apply", "-f", "-")
        .orFail();
    Cli.Result r = cp.kubectlStdin(policy("replicasets", "sleepSeconds: 5", "workloads: [StatefulSet, ReplicaSet]"),
        "apply", "-f", "-");
    assertThat(r.ok()).as(r.toString()).isFalse();
    assertThat(r.stderr()).contains("spec.workloads[1]").contains("Unsupported value: \"ReplicaSet\"");
  }

  @Test
  void graceShorterThanSleepPlusShutdownIsRejectedByTheCelRule() {
    Cli.Result r = cp.kubectlStdin(policy("short-grace", "sleepSeconds: 10",
        "shutdownSeconds: 20", "terminationGracePeriodSeconds: 25"), "apply", "-f", "-");
    assertThat(r.ok()).as(r.toString()).isFalse();
    assertThat(r.stderr()).contains("terminationGracePeriodSeconds must be >= preStop.sleepSeconds + shutdownSeconds");
    assertThat(cp.kubectl("get", "gp", "-n", NS, "short-grace").ok()).isFalse();
  }

  @Test
  void sleepZeroIsRejectedByTheSchema() {
    Cli.Result r = cp.kubectlStdin(policy("zero", "sleepSeconds: 0"), "apply", "-f", "-");
    assertThat(r.ok()).as(r.toString()).isFalse();
    assertThat(r.stderr()).contains("spec.preStop.sleepSeconds").contains("should be greater than or equal to 1");
  }

  @Test
  void anUnknownActionIsRejectedByTheSchema() {
    Cli.Result r = cp.kubectlStdin(policy("bad-action", "sleepSeconds: 5", "action: Nap"), "apply", "-f", "-");
    assertThat(r.ok()).as(r.toString()).isFalse();
    assertThat(r.stderr()).contains("spec.preStop.action").contains("Unsupported value: \"Nap\"");
  }

  @Test
  void anUnknownFieldIsRejectedByStrictFieldValidation() {
    Cli.Result r = cp.kubectlStdin(policy("typo", "sleepSeconds: 5", "sleepSecond: 5"), "apply", "-f", "-");
    assertThat(r.ok()).as(r.toString()).isFalse();
    assertThat(r.stderr()).contains("unknown field").contains("sleepSecond");
  }

  /** A policy in {@link #NS}; {@code preStop} lines go under spec.preStop except shutdown and grace. */
  private static String policy(String name, String... lines) {
    StringBuilder preStop = new StringBuilder();
    StringBuilder spec = new StringBuilder();
    for (String l : lines) {
      if (l.startsWith("sleepSecond") || l.startsWith("action")) {
        preStop.append("    ").append(l).append('\n');
      } else {
        spec.append("  ").append(l).append('\n');
      }
    }
    return """
        apiVersion: graceful.io/v1alpha1
        kind: GracefulPolicy
        metadata:
          name: %s
          namespace: %s
        spec:
          selector:
            matchLabels: {app: none}
          preStop:
        %s%s""".formatted(name, NS, preStop, spec);
  }
}
