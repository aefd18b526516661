package io.graceful.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Drain measurement on the real control plane: a Service selects a governed Deployment's pods, the real
 * EndpointSlice controller lists them (the fake kubelet makes them Ready), a pod is deleted, the controller takes its
 * endpoint out of routing, and the operator (running with the chart's RBAC for drain.measure=true) records a sample
 * that kubectl shows in the policy's status.drain, also for a pod that was running before the operator (re)started.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DrainMeasurementIT {
  private static final String NS = "e2e-drain";
  private ControlPlane cp;
  private KubernetesClient k8s;
  private static final Map<String, String> ENV = Map.of("GRACEFUL_MEASURE_DRAIN", "true",
      "GRACEFUL_DRAIN_MIN_SAMPLES", "1");
  private OperatorProcess operator;
  private OperatorInstall install;

  @BeforeAll
  void start() {
    cp = ControlPlane.get();
    k8s = cp.admin();
    install = OperatorInstall.ensure(cp);
    // the chart's own drain RBAC, as a user turning the feature on would get it
    cp.helm("upgrade", OperatorInstall.RELEASE, "helm/graceful-operator", "-n", OperatorInstall.NAMESPACE,
        "--skip-crds", "--reuse-values", "--set", "drain.measure=true", "--timeout", "120s").orFail();
    cp.freshNamespace(NS);
    cp.kubectlStdin(Manifests.deployment(NS, "web", 2), "apply", "-f", "-").orFail();
    cp.kubectlStdin("""
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: %s}
        spec:
          selector: {app: web}
          ports: [{port: 80, targetPort: 8080}]
        """.formatted(NS), "apply", "-f", "-").orFail();
    operator = OperatorProcess.start(cp, "drain", install.kubeconfig(), ENV).awaitReady();
    cp.kubectlStdin(Manifests.policy(NS, "web", 5, 10), "apply", "-f", "-").orFail();
  }

  @AfterAll
  void stop() throws InterruptedException {
    if (operator != null) {
      operator.close();
    }
    // back to the shared install as OperatorInstall made it (its values only: a later chart need not know drain)
    cp.helm(OperatorInstall.withValues("upgrade", OperatorInstall.RELEASE, "helm/graceful-operator", "-n",
        OperatorInstall.NAMESPACE, "--skip-crds", "--reset-values", "--timeout", "120s")).orFail();
  }

  private String slicePods() {
    return cp.kubectl("get", "endpointslices", "-n", NS, "-l", "kubernetes.io/service-name=web", "-o",
        "jsonpath={range .items[*].endpoints[*]}{.targetRef.name}={.conditions.ready} {end}").orFail();
  }

  private List<Pod> readyPods() {
    return k8s.pods().inNamespace(NS).withLabel("app", "web").list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null
            && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
        .toList();
  }

  @Test
  void aDeletedPodLeavesItsEndpointSliceAndTheOperatorRecordsTheDrain() throws InterruptedException {
    // the policy's rollout replaces both pods: wait until it is done and the slice routes to the new ones
    await("policy converged, pods ready, slice routes to them").atMost(Duration.ofSeconds(90))
        .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
        .until(() -> "True".equals(cp.kubectl("get", "gp", "-n", NS, "web", "-o",
            "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}").orFail())
            && readyPods().size() == 2 && readyPods().stream().allMatch(p ->
                slicePods().contains(p.getMetadata().getName() + "=true")));
    // the pods and their slice existed before this operator process started: a restarted operator measures them too
    operator.close();
    operator = OperatorProcess.start(cp, "drain-restarted", install.kubeconfig(), ENV).awaitReady();
    Pod victim = readyPods().get(0);
    String name = victim.getMetadata().getName();
    // a finalizer keeps the pod readable after the fake kubelet finished it, to read what the API server stored
    k8s.pods().inNamespace(NS).withName(name).edit(p -> new PodBuilder(p).editMetadata()
        .addToFinalizers("e2e.graceful.io/hold").endMetadata().build());
    try {
      deleteAndMeasure(name);
    } finally {
      k8s.pods().inNamespace(NS).withName(name).edit(p -> new PodBuilder(p).editMetadata()
          .withFinalizers(List.of()).endMetadata().build());
    }
  }

  private void deleteAndMeasure(String name) {
    Instant requested = Instant.now();
    k8s.pods().inNamespace(NS).withName(name).delete(); // the pod's own grace period, as kubectl delete does

    Pod terminating = k8s.pods().inNamespace(NS).withName(name).get();
    Instant deletion = Instant.parse(terminating.getMetadata().getDeletionTimestamp());
    long grace = terminating.getMetadata().getDeletionGracePeriodSeconds();
    // the fact drain measurement rests on: deletionTimestamp is the request time PLUS the grace period
    assertThat(grace).isEqualTo(30);
    assertThat(Duration.between(requested, deletion.minusSeconds(grace)).abs()).isLessThan(Duration.ofSeconds(3));

    await("the EndpointSlice controller lets go of the pod").atMost(Duration.ofSeconds(30))
        .until(() -> !slicePods().contains(name + "=true"));
    await("status.drain records it").atMost(Duration.ofSeconds(30))
        .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
        .untilAsserted(() -> assertThat(Integer.parseInt(cp.kubectl("get", "gp", "-n", NS, "web", "-o",
            "jsonpath={.status.drain.samples}").orFail())).isGreaterThanOrEqualTo(1));
    String drain = cp.kubectl("get", "gp", "-n", NS, "web", "-o", "jsonpath={.status.drain}").orFail();
    double max = Double.parseDouble(cp.kubectl("get", "gp", "-n", NS, "web", "-o",
        "jsonpath={.status.drain.maxSeconds}").orFail());
    // measured from deletionTimestamp minus the grace period: seconds, not the 30 s a raw deletionTimestamp
    // (a negative latency, clamped to 0) or the pod's removal would suggest
    assertThat(max).as("status.drain %s", drain).isBetween(0.0, 10.0);
    assertThat(cp.kubectl("get", "gp", "-n", NS, "web", "-o",
        "jsonpath={.status.conditions[?(@.type==\"SleepSufficient\")].status}").orFail())
        .as("status.drain %s", drain).isIn("True", "False");
    assertThat(drain).contains("\"window\":\"24h\"", "recommendedSleepSeconds");
  }

  /**
   * The kubelet's FailedPreStopHook Event (what it records when an exec sleep finds no sleep binary) about a
   * governed pod, created here as the kubelet would: the API server's field selector hands it to the operator, the
   * workload is listed HookFailing with the remedy, and a Warning Event on the Deployment says so.
   */
  @Test
  void aFailedPreStopHookEventListsTheWorkloadAsHookFailing() {
    await("a ready pod").atMost(Duration.ofSeconds(90)).until(() -> !readyPods().isEmpty());
    Pod pod = readyPods().get(0);
    k8s.v1().events().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.EventBuilder()
        .withNewMetadata().withName(pod.getMetadata().getName() + ".e2e-hook").endMetadata()
        .withReason("FailedPreStopHook").withType("Warning").withCount(1)
        .withMessage("PreStopHook failed: exec: \"sleep\": executable file not found in $PATH")
        .withNewSource().withComponent("kubelet").withHost(FakeKubelet.NODE).endSource()
        .withFirstTimestamp(Instant.now().toString()).withLastTimestamp(Instant.now().toString())
        .withNewInvolvedObject().withApiVersion("v1").withKind("Pod").withNamespace(NS)
        .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).endInvolvedObject().build())
        .create();
    await("status lists web as HookFailing").atMost(Duration.ofSeconds(30))
        .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
        .untilAsserted(() -> assertThat(cp.kubectl("get", "gp", "-n", NS, "web", "-o",
            "jsonpath={.status.deployments}").orFail()).contains("\"name\":\"web\"", "HookFailing",
            "preStop action Sleep"));
    await("Warning Event on the Deployment").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(cp.kubectl("get", "events", "-n", NS, "--field-selector",
            "involvedObject.kind=Deployment,involvedObject.name=web", "-o", "custom-columns=R:.reason",
            "--no-headers").orFail()).contains("HookFailing"));
  }

  /** spec.preStop.tune: the CRD's CEL rule refuses min above max on a real API server; a valid one is accepted. */
  @Test
  void theApiServerRefusesATuneWithMinAboveMax() {
    String policy = """
        apiVersion: graceful.io/v1alpha1
        kind: GracefulPolicy
        metadata: {name: tuned, namespace: %s}
        spec:
          preStop: {sleepSeconds: 5, tune: {mode: Recommend, marginSeconds: 3, minSeconds: %d, maxSeconds: 60}}
        """;
    Cli.Result refused = cp.kubectlStdin(policy.formatted(NS, 90), "apply", "--dry-run=server", "-f", "-");
    assertThat(refused.ok()).isFalse();
    assertThat(refused.toString()).contains("tune.minSeconds must be <= tune.maxSeconds");
    cp.kubectlStdin(policy.formatted(NS, 20), "apply", "--dry-run=server", "-f", "-").orFail();
  }
}
