package io.graceful.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerImageBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrunedNodeStoreTest {
  @Test
  void keepsTheNameAndTheKubeletVersionOnly() {
    Node full = new NodeBuilder().withNewMetadata().withName("worker-7").withUid("u1").withResourceVersion("42")
        .addToLabels("kubernetes.io/hostname", "worker-7").addToAnnotations("a", "b").endMetadata()
        .withNewSpec().withPodCIDR("10.0.0.0/24").endSpec()
        .withNewStatus().withNewNodeInfo().withKubeletVersion("v1.29.4").withKernelVersion("6.1")
        .withOsImage("Ubuntu").endNodeInfo()
        .withCapacity(Map.of("cpu", new Quantity("4")))
        .withImages(new ContainerImageBuilder().withNames("registry.k8s.io/pause:3.10").withSizeBytes(1L).build())
        .endStatus().build();

    PrunedNodeStore store = new PrunedNodeStore();
    store.put("worker-7", full);
    Node kept = store.get("worker-7");

    assertThat(kept).isEqualTo(new NodeBuilder().withApiVersion(full.getApiVersion()).withKind(full.getKind())
        .withNewMetadata().withName("worker-7").withUid("u1").withResourceVersion("42").endMetadata()
        .withNewStatus().withNewNodeInfo().withKubeletVersion("v1.29.4").endNodeInfo().endStatus().build());
    assertThat(PrunedNodeStore.kubeletVersion(kept)).isEqualTo("v1.29.4");
  }

  @Test
  void aNodeWithoutStatusStaysWithoutStatus() {
    Node registering = new NodeBuilder().withNewMetadata().withName("new").endMetadata().build();
    Node kept = PrunedNodeStore.prune(registering);
    assertThat(kept.getStatus()).isNull();
    assertThat(PrunedNodeStore.kubeletVersion(kept)).isNull();
  }
}
