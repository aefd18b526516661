package io.graceful.operator.it;

import static io.graceful.operator.it.Fixtures.container;
import static io.graceful.operator.it.Fixtures.deployment;
import static io.graceful.operator.it.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.api.v1alpha1.HookAction;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.core.NativeSleepDecision;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Action Auto decided by the nodes' kubelets (API server 1.31 in every test): native sleep only while every kubelet
 * is >= 1.30; a node joining with an old kubelet switches the operator's hooks to exec sleep (one write each), and
 * the policy status says which node; without permission to list nodes the API server version decides, visibly.
 */
class NativeSleepNodesTest {
  private static final Map<String, String> WEB = Map.of("tier", "web");
  private OperatorHarness h;

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  static void node(KubernetesClient client, String name, String kubeletVersion) {
    Node n = new NodeBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewStatus().withNewNodeInfo().withKubeletVersion(kubeletVersion).endNodeInfo().endStatus().build();
    Node created = client.nodes().resource(n).create();
    if (created.getStatus() == null || created.getStatus().getNodeInfo() == null) {
      // as a kubelet does: status written after registration
      created.setStatus(n.getStatus());
      client.nodes().resource(created).updateStatus();
    }
  }

  static LifecycleHandler preStop(Deployment d) {
    var c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    return c.getLifecycle() == null ? null : c.getLifecycle().getPreStop();
  }

  static final LifecycleHandler NATIVE = new LifecycleHandlerBuilder().withNewSleep().withSeconds(10L).endSleep().build();
  static final LifecycleHandler EXEC = new LifecycleHandlerBuilder().withNewExec().withCommand("sleep", "10").endExec()
      .build();

  @Test
  void newKubeletsEverywhereMeanNativeSleepAndAnOldKubeletJoiningSwitchesToExec() {
    h = new OperatorHarness("31", OperatorConfig.defaults(), api -> {
      node(api.client(), "worker-1", "v1.31.0-eks-abc");
      node(api.client(), "worker-2", "v1.30.2+k3s1");
    });
    String ns = h.newNamespace("kubelets");
    h.client.resource(deployment(ns, "web", WEB, container("app"))).create();
    h.client.resource(policy(ns, "web", WEB, 10, 20L)).create();

    h.awaitDeployment(ns, "web", d -> NATIVE.equals(preStop(d)));
    GracefulPolicy p = h.awaitPolicy(ns, "web", x -> x.getStatus().getHookAction() == HookAction.Sleep);
    assertThat(p.getStatus().getHookActionReason()).isEqualTo(NativeSleepDecision.ALL_KUBELETS_RUN_SLEEP);
    assertThat(p.getStatus().getHookActionMessage()).contains("all nodes run kubelet >= 1.30")
        .contains("v1.30.2+k3s1").contains("worker-2");
    int writesBefore = h.deploymentWrites(ns).size();

    node(h.client, "worker-7", "v1.29.4");

    Deployment switched = h.awaitDeployment(ns, "web", d -> EXEC.equals(preStop(d)));
    assertThat(h.deploymentWrites(ns)).as("the switch is one write").hasSize(writesBefore + 1);
    assertThat(switched.getSpec().getTemplate().getSpec().getContainers().get(0).getLifecycle().getPreStop()
        .getSleep()).as("one action per handler").isNull();
    p = h.awaitPolicy(ns, "web", x -> x.getStatus().getHookAction() == HookAction.Exec);
    assertThat(p.getStatus().getHookActionReason()).isEqualTo(NativeSleepDecision.OLD_KUBELET);
    assertThat(p.getStatus().getHookActionMessage()).contains("node worker-7 runs kubelet v1.29.4");
    assertThat(h.operator.nativeSleep().autoUsesSleep()).isFalse();

    // a Deployment created now gets exec sleep straight away
    h.client.resource(deployment(ns, "api", WEB, container("app"))).create();
    h.awaitDeployment(ns, "api", d -> EXEC.equals(preStop(d)));

    // the old node leaves: back to the native action
    h.client.nodes().withName("worker-7").delete();
    h.awaitDeployment(ns, "web", d -> NATIVE.equals(preStop(d)));
    h.awaitDeployment(ns, "api", d -> NATIVE.equals(preStop(d)));
    h.awaitPolicy(ns, "web", x -> NativeSleepDecision.ALL_KUBELETS_RUN_SLEEP.equals(x.getStatus().getHookActionReason()));
  }

  @Test
  void anOldKubeletAtStartMeansExecAlthoughTheApiServerIsNew() {
    h = new OperatorHarness("31", OperatorConfig.defaults(), api -> {
      node(api.client(), "worker-1", "v1.31.4");
      node(api.client(), "worker-old", "v1.28.15-gke.1286000");
    });
    String ns = h.newNamespace("oldkubelet");
    h.client.resource(deployment(ns, "web", WEB, container("app"))).create();
    h.client.resource(policy(ns, "web", WEB, 10, 20L)).create();

    h.awaitDeployment(ns, "web", d -> EXEC.equals(preStop(d)));
    GracefulPolicy p = h.awaitConverged(ns, "web");
    assertThat(p.getStatus().getHookAction()).isEqualTo(HookAction.Exec);
    assertThat(p.getStatus().getHookActionReason()).isEqualTo(NativeSleepDecision.OLD_KUBELET);
    assertThat(p.getStatus().getHookActionMessage()).contains("node worker-old runs kubelet v1.28.15-gke.1286000");
  }

  @Test
  void nodesNotReadableFallBackToTheApiServerVersionAndSayWhy() {
    h = new OperatorHarness("31", OperatorConfig.defaults(), api -> {
      node(api.client(), "worker-old", "v1.29.4");
      api.forbid("/api/v1/nodes");
    });
    String ns = h.newNamespace("nonodes");
    h.client.resource(deployment(ns, "web", WEB, container("app"))).create();
    h.client.resource(policy(ns, "web", WEB, 10, 20L)).create();

    h.awaitDeployment(ns, "web", d -> NATIVE.equals(preStop(d)));
    GracefulPolicy p = h.awaitConverged(ns, "web");
    assertThat(p.getStatus().getHookAction()).isEqualTo(HookAction.Sleep);
    assertThat(p.getStatus().getHookActionReason()).isEqualTo(NativeSleepDecision.NODES_NOT_READABLE);
    assertThat(p.getStatus().getHookActionMessage()).contains("nodes not readable").contains("API server v1.31");
    assertThat(h.api.requests(r -> r.fromOperator() && r.path().startsWith("/api/v1/nodes")))
        .as("one refused list, no retry loop").hasSize(1)
        .allSatisfy(r -> assertThat(r.method()).isEqualTo("GET"));
  }

  @Test
  void noNodesMeanTheApiServerVersionDecides() {
    h = new OperatorHarness("29", OperatorConfig.defaults());
    assertThat(h.operator.nativeSleep()).satisfies(d -> {
      assertThat(d.autoUsesSleep()).isFalse();
      assertThat(d.reason()).isEqualTo(NativeSleepDecision.NO_NODES);
      assertThat(d.message()).contains("API server v1.29");
    });
    // a node without a kubelet version yet (registering) changes nothing
    h.client.nodes().resource(new NodeBuilder().withNewMetadata().withName("registering").endMetadata().build())
        .create();
    assertThat(Objects.requireNonNull(h.operator.nativeSleep().reason())).isEqualTo(NativeSleepDecision.NO_NODES);
  }

  @Test
  void forcedSettingsListNoNodes() {
    h = new OperatorHarness("31", OperatorConfig.fromEnvironment(Map.of("GRACEFUL_NATIVE_SLEEP", "false")),
        api -> node(api.client(), "worker-1", "v1.31.0"));
    assertThat(h.operator.nativeSleep()).isEqualTo(NativeSleepDecision.forced(false));
    assertThat(h.api.requests(r -> r.fromOperator() && r.path().startsWith("/api/v1/nodes"))).isEmpty();
  }
}
