package io.graceful.operator.it;

import static io.graceful.operator.it.Fixtures.container;
import static io.graceful.operator.it.Fixtures.deployment;
import static io.graceful.operator.it.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.config.OperatorConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Drain measurement of a pod that was running, routed by its EndpointSlice, before the operator started (the normal
 * case after an operator restart or upgrade): its termination is measured like any other.
 */
class DrainAfterRestartTest {
  private static final String NS = "drain-restart";

  private static Pod pod(KubernetesClient client) {
    return client.resource(new PodBuilder().withNewMetadata().withNamespace(NS).withName("web-1")
        .addToLabels("pod-template-hash", "5f6d7c").addToFinalizers("example.com/hold")
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("web-5f6d7c")
        .withUid("rs-web").withController(true).endOwnerReference().endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer().endSpec()
        .build()).create();
  }

  private static void slice(KubernetesClient client, Pod pod, boolean ready) {
    client.resource(new EndpointSliceBuilder().withNewMetadata().withNamespace(NS).withName("web-abcde")
        .addToLabels("kubernetes.io/service-name", "web").endMetadata().withAddressType("IPv4")
        .addToEndpoints(new EndpointBuilder().addToAddresses("10.0.0.1").withNewConditions().withReady(ready)
            .withServing(true).endConditions().withNewTargetRef().withKind("Pod").withNamespace(NS)
            .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).endTargetRef().build())
        .build()).createOr(r -> r.update());
  }

  @Test
  void aPodRoutedBeforeTheOperatorStartedIsMeasuredWhenItTerminates() throws Exception {
    Pod[] running = new Pod[1];
    try (OperatorHarness h = new OperatorHarness("31", OperatorConfig.defaults()
        .withDrain(new OperatorConfig.DrainMeasurement(true, Duration.ofHours(1), 1)), api -> {
          KubernetesClient c = api.client();
          c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
              .create();
          c.resource(deployment(NS, "web", Map.of("tier", "web"), container("app"))).create();
          c.resource(policy(NS, "web", Map.of("tier", "web"), 3, 10L)).create();
          running[0] = pod(c);
          slice(c, running[0], true);
        })) {
      h.awaitConverged(NS, "web");
      Thread.sleep(500);
      h.client.pods().inNamespace(NS).withName("web-1").delete();
      Thread.sleep(300);
      slice(h.client, running[0], false);
      GracefulPolicy measured = h.awaitPolicy(NS, "web", p -> p.getStatus().getDrain() != null
          && p.getStatus().getDrain().getSamples() == 1);
      assertThat(measured.getStatus().getDrain().getMaxSeconds()).isBetween(0.0, 5.0);
    }
  }
}
