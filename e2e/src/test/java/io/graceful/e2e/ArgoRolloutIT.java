package io.graceful.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Argo Rollouts on a real API server, without Argo's controller (the test writes status through the status
 * subresource): the Rollout CRD installed AFTER the operator started is noticed, a Rollout gets the hook with one
 * JSON Patch, and deleting the CRD stops the Rollout controller without crashing the operator. The operator's
 * identity gets the rights the chart grants with rbac.argoRollouts=true (a ClusterRole of this test's own: the
 * shared install keeps the default, auto, which grants nothing here because the CRD does not exist at install).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArgoRolloutIT {
  private static final String NS = "e2e-argo";
  private static final String CRD_FILE = "operator/src/test/resources/argo/rollouts-crd.yaml";
  private static final String ROLE = "e2e-argo-rollouts";
  private ControlPlane cp;
  private OperatorProcess operator;

  @BeforeAll
  void start() {
    cp = ControlPlane.get();
    OperatorInstall install = OperatorInstall.ensure(cp);
    cp.kubectl("delete", "--ignore-not-found", "-f", CRD_FILE).orFail();
    cp.freshNamespace(NS);
    cp.kubectlStdin("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: %1$s}
        rules:
        - apiGroups: [argoproj.io]
          resources: [rollouts]
          verbs: [get, list, watch, patch]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: %1$s}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %1$s}
        subjects:
        - {kind: ServiceAccount, name: %2$s, namespace: %3$s}
        """.formatted(ROLE, install.serviceAccount(), OperatorInstall.NAMESPACE), "apply", "-f", "-").orFail();
    operator = OperatorProcess.start(cp, "argo", install.kubeconfig(), Map.of()).awaitReady();
  }

  @AfterAll
  void stop() throws InterruptedException {
    if (operator != null) {
      operator.close();
    }
    if (cp != null) {
      cp.kubectl("delete", "--ignore-not-found", "-f", CRD_FILE);
      cp.kubectl("delete", "--ignore-not-found", "clusterrolebinding,clusterrole", ROLE);
    }
  }

  private String valid() {
    return cp.kubectl("get", "gp", "-n", NS, "web", "-o",
        "jsonpath={.status.conditions[?(@.type==\"Valid\")].message}").orFail();
  }

  private long writes(int mark, String name) {
    return cp.audit().since(mark).stream().filter(r -> r.resource().equals("rollouts.argoproj.io")
        && name.equals(r.name()) && !List.of("get", "list", "watch").contains(r.verb())
        && r.user().contains(OperatorInstall.NAMESPACE)).count();
  }

  @Test
  void theCrdInstalledAfterStartIsNoticedARolloutGetsOneWriteAndRemovingTheCrdStopsNothingElse() {
    cp.kubectlStdin("""
        apiVersion: graceful.io/v1alpha1
        kind: GracefulPolicy
        metadata: {name: web, namespace: %s}
        spec:
          workloads: [Rollout]
          selector:
            matchLabels: {tier: web}
          preStop: {sleepSeconds: 5}
          shutdownSeconds: 10
        """.formatted(NS), "apply", "-f", "-").orFail();
    await("the policy says the CRD is missing").atMost(Duration.ofSeconds(60))
        .until(() -> valid().contains("rollouts.argoproj.io (Argo Rollouts) is not installed"));

    cp.kubectl("apply", "-f", CRD_FILE).orFail();
    cp.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/rollouts.argoproj.io").orFail();
    await("the operator notices the CRD").atMost(Duration.ofSeconds(60))
        .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
        .until(() -> valid().equals("the spec is valid"));

    int mark = cp.audit().mark();
    cp.kubectlStdin("""
        apiVersion: argoproj.io/v1alpha1
        kind: Rollout
        metadata: {name: checkout, namespace: %s, labels: {tier: staging}}
        spec:
          replicas: 2
          selector:
            matchLabels: {app: checkout}
          strategy:
            canary:
              steps: [{setWeight: 50}, {pause: {}}]
          template:
            metadata:
              labels: {app: checkout}
            spec:
              containers:
              - {name: app, image: registry.example/checkout:1.0}
        """.formatted(NS), "apply", "-f", "-").orFail();
    // what Argo's controller would report for running pods of generation 1
    cp.kubectl("patch", "rollout", "checkout", "-n", NS, "--subresource=status", "--type=merge", "-p",
        "{\"status\":{\"phase\":\"Healthy\",\"observedGeneration\":\"1\",\"replicas\":2,\"updatedReplicas\":2,"
            + "\"readyReplicas\":2,\"availableReplicas\":2}}").orFail();
    // selected only now that it has running pods: a brand-new Rollout would be written at once, restarting nothing
    // and taking no rollout slot, which is right but is not what this test looks at
    cp.kubectl("label", "--overwrite", "rollout", "checkout", "-n", NS, "tier=web").orFail();
    await("the hook applied").atMost(Duration.ofSeconds(60))
        .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
        .until(() -> cp.kubectl("get", "rollout", "checkout", "-n", NS, "-o",
            "jsonpath={.spec.template.spec.containers[0].lifecycle.preStop.sleep.seconds}").orFail().equals("5"));
    assertThat(cp.kubectl("get", "rollout", "checkout", "-n", NS, "-o",
        "jsonpath={.spec.strategy.canary.steps[1]}").orFail()).as("fields the operator does not read are kept")
        .isEqualTo("{\"pause\":{}}");
    assertThat(cp.kubectl("get", "rollout", "checkout", "-n", NS, "-o",
        "jsonpath={.metadata.annotations.graceful\\.io/rollout}").orFail()).isEqualTo("2");
    await().atMost(Duration.ofSeconds(10)).until(() -> writes(mark, "checkout") >= 1);
    assertThat(writes(mark, "checkout")).as("one JSON Patch to the Rollout").isEqualTo(1);

    // Argo reports the canary paused at its pause step: the rollout holds its slot, and the status says so
    cp.kubectl("patch", "rollout", "checkout", "-n", NS, "--subresource=status", "--type=merge", "-p",
        "{\"status\":{\"phase\":\"Paused\",\"observedGeneration\":\"2\",\"replicas\":3,\"updatedReplicas\":1}}")
        .orFail();
    await("paused, said in the status").atMost(Duration.ofSeconds(60)).until(() -> cp.kubectl("get", "gp", "-n",
        NS, "web", "-o", "jsonpath={.status.deployments[?(@.name==\"checkout\")].reason}").orFail()
        .equals("RolloutPaused"));

    cp.kubectl("delete", "-f", CRD_FILE, "--wait=true").orFail();
    await("the operator notices the CRD went").atMost(Duration.ofSeconds(60))
        .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
        .until(() -> valid().contains("rollouts.argoproj.io (Argo Rollouts) is not installed"));
    assertThat(operator.isAlive()).isTrue();
    operator.awaitReady();
    assertThat(operator.log()).contains("stopping the Rollout controller");
  }
}
