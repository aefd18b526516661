package io.graceful.e2e;

import static io.graceful.e2e.Workloads.deployment;
import static io.graceful.e2e.Workloads.hook;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A Deployment another controller renders (an ownerReference with {@code controller: true}; here the owner is a
 * ConfigMap standing in for a Knative Revision or a database operator's resource, so the garbage collector keeps the
 * Deployment) is never written (docs/rules.md R14): the policy lists it as Skipped/OwnedByController naming the
 * owner, an Event says so, and its single ReplicaSet shows no rollout happened. Its sibling without the owner is
 * changed as usual.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OwnedByControllerIT {
  private static final String NS = "e2e-owned";
  private ControlPlane cp;
  private KubernetesClient k8s;
  private OperatorProcess operator;

  @BeforeAll
  void start() {
    cp = ControlPlane.get();
    k8s = cp.admin();
    OperatorInstall install = OperatorInstall.ensure(cp);
    cp.freshNamespace(NS);
    ConfigMap owner = k8s.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata()
        .withName("edge-gateway").endMetadata().build()).create();
    Deployment owned = k8s.apps().deployments().load(new java.io.ByteArrayInputStream(
        Manifests.deployment(NS, "rendered", 1).getBytes(java.nio.charset.StandardCharsets.UTF_8))).item();
    owned.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("v1")
        .withKind("ConfigMap").withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
        .withController(true).build()));
    k8s.apps().deployments().inNamespace(NS).resource(owned).create();
    cp.kubectlStdin(Manifests.deployment(NS, "plain", 1), "apply", "-f", "-").orFail();
    await("both rolled out").atMost(Duration.ofSeconds(60))
        .until(() -> Workloads.replicaSets(k8s, deployment(k8s, NS, "rendered")).size() == 1
            && Workloads.replicaSets(k8s, deployment(k8s, NS, "plain")).size() == 1);
    operator = OperatorProcess.start(cp, "owned", install.kubeconfig(), Map.of()).awaitReady();
    cp.kubectlStdin(Manifests.policy(NS, "web", 10, 10), "apply", "-f", "-").orFail();
  }

  @AfterAll
  void stop() throws InterruptedException {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void aDeploymentOwnedByAnotherControllerIsNeverWritten() {
    int mark = cp.audit().mark();
    await("plain applied").atMost(Duration.ofSeconds(60))
        .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
        .until(() -> "sleep 10".equals(hook(deployment(k8s, NS, "plain"), "web")));
    await("status lists the owned Deployment").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(cp.kubectl("get", "gp", "-n", NS, "web", "-o", "jsonpath={.status.deployments}").orFail())
            .contains("rendered", "OwnedByController", "ConfigMap edge-gateway"));
    assertThat(cp.kubectl("get", "gp", "-n", NS, "web", "-o", "jsonpath={.status.skipped}").orFail()).isEqualTo("1");

    Deployment rendered = deployment(k8s, NS, "rendered");
    assertThat(hook(rendered, "web")).isEqualTo("none");
    assertThat(rendered.getMetadata().getAnnotations()).as("no graceful.io annotation")
        .satisfiesAnyOf(a -> assertThat(a).isNull(), a -> assertThat(a.keySet()).noneMatch(k -> k.startsWith("graceful.io/")));
    assertThat(Workloads.replicaSets(k8s, rendered)).as("no rollout").hasSize(1);
    assertThat(cp.audit().since(mark)).as("writes to the owned Deployment")
        .noneMatch(r -> r.resource().equals("deployments.apps") && "rendered".equals(r.name())
            && !List.of("get", "list", "watch").contains(r.verb()));
    await("Event on the owned Deployment").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(cp.kubectl("get", "events", "-n", NS, "--field-selector", "involvedObject.name=rendered",
            "-o", "custom-columns=R:.reason", "--no-headers").orFail()).contains("OwnedByController"));
  }
}
