package io.graceful.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.graceful.operator.GracefulOperator;
import io.graceful.operator.config.OperatorConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The --serve-only mode as image/prove.sh uses it: an operator that knows the server only through the written
 * kubeconfig (its own client, as a separate process would have) is reported as reconciling and converging; without
 * an operator nothing is reported as reconciled.
 */
class ServeOnlyTest {

  @TempDir
  Path dir;

  @Test
  void anOperatorConnectedThroughTheKubeconfigIsReportedReconciledAndConverged() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    Path kubeconfig = dir.resolve("kubeconfig");
    ServeOnly serving = ServeOnly.start(kubeconfig, out);
    try (KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build()) {
      assertThat(client.getMasterUrl().toString()).startsWith("http://127.0.0.1:");
      GracefulOperator operator = GracefulOperator.start(client, OperatorConfig.defaults().withHttpPort(0));
      boolean reconciled;
      try {
        reconciled = serving.awaitReconciled(Duration.ofSeconds(90));
      } finally {
        operator.close();
      }
      String output = printed.toString(StandardCharsets.UTF_8);
      assertThat(reconciled).as(output).isTrue();
      assertThat(output).containsPattern("serve-only: ready server=http://127\\.0\\.0\\.1:\\d+/ kubeconfig=\\S+ "
              + "objects=\\d+")
          .containsPattern("serve-only: first-reconcile epoch-ms=\\d+ workload=(deployment|statefulset|daemonset)/"
              + "[a-z-]+/[a-z-]+")
          // the examples' counts: converged means every kind's workloads written, not only the Deployments'
          .contains("workloads-changed=13 deployments=11 statefulsets=1 daemonsets=1");
      // the report is about the server's objects: the storefront example carries the operator's annotation
      Deployment storefront = serving.client().apps().deployments().inNamespace("shop").withName("storefront").get();
      assertThat(Tables.annotation(storefront, Tables.APPLIED_POLICY, null)).isEqualTo("web");
      assertThat(Tables.annotation(serving.client().apps().statefulSets().inNamespace("shop").withName("inventory")
          .get(), Tables.APPLIED_POLICY, null)).isEqualTo("web");
      assertThat(Tables.annotation(serving.client().apps().daemonSets().inNamespace("shop").withName("edge-proxy")
          .get(), Tables.APPLIED_POLICY, null)).isEqualTo("web");
    } finally {
      serving.close();
    }
  }

  @Test
  void withoutAnOperatorNothingIsReportedReconciled() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    ServeOnly serving = ServeOnly.start(dir.resolve("kubeconfig"),
        new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      assertThat(serving.awaitReconciled(Duration.ofSeconds(2))).isFalse();
      assertThat(printed.toString(StandardCharsets.UTF_8))
          .contains("serve-only: not-reconciled")
          .doesNotContain("first-reconcile", "converged epoch-ms");
    } finally {
      serving.close();
    }
  }

  @Test
  void convergenceNeedsAWrittenWorkloadOfEveryKindTheExamplesHold() throws Exception {
    ServeOnly serving = ServeOnly.start(dir.resolve("kubeconfig"),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    try {
      // as if an operator that watches only Deployments had written one: the other kinds still count as missing
      serving.client().apps().deployments().inNamespace("shop").withName("storefront")
          .edit(d -> new DeploymentBuilder(d).editMetadata().addToAnnotations(Tables.APPLIED_POLICY, "web")
              .endMetadata().build());
      List<String> missing = DemoMain.awaitConverged(serving.client(), Duration.ofMillis(500));
      assertThat(missing).contains("no StatefulSet carries " + Tables.APPLIED_POLICY + " yet",
          "no DaemonSet carries " + Tables.APPLIED_POLICY + " yet")
          .noneMatch(m -> m.startsWith("no Deployment carries"));
    } finally {
      serving.close();
    }
  }

  @Test
  void argumentsAreCheckedBeforeAnythingStarts() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertThat(ServeOnly.main(List.of("--serve-only"), System.out, errStream)).isEqualTo(2);
    assertThat(ServeOnly.main(List.of("--serve-only", "--kubeconfig", "x", "--bogus"), System.out, errStream))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage:").contains("unknown argument: --bogus");
  }
}
