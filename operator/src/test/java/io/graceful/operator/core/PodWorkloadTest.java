package io.graceful.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PodWorkloadTest {

  private static Pod owned(String kind, String owner, Map<String, String> labels) {
    return new PodBuilder().withNewMetadata().withNamespace("shop").withName("p").withLabels(labels)
        .addNewOwnerReference().withApiVersion("apps/v1").withKind(kind).withName(owner).withController(true)
        .withUid("u").endOwnerReference().endMetadata().build();
  }

  @Test
  void aReplicaSetPodBelongsToTheDeploymentItsNameAndHashName() {
    assertThat(PodWorkload.of(owned("ReplicaSet", "web-api-7d9f8b6c4", Map.of("pod-template-hash", "7d9f8b6c4"))))
        .contains(WorkloadRef.deployment("shop", "web-api"));
    assertThat(PodWorkload.of(owned("ReplicaSet", "web-6f7", Map.of("rollouts-pod-template-hash", "6f7"))))
        .contains(new WorkloadRef(WorkloadKind.Rollout, "shop", "web"));
    // a ReplicaSet of its own (no hash suffix): no governed workload
    assertThat(PodWorkload.of(owned("ReplicaSet", "batch", Map.of()))).isEmpty();
  }

  @Test
  void statefulSetAndDaemonSetPodsNameTheirOwner() {
    assertThat(PodWorkload.of(owned("StatefulSet", "db", Map.of())))
        .contains(new WorkloadRef(WorkloadKind.StatefulSet, "shop", "db"));
    assertThat(PodWorkload.of(owned("DaemonSet", "agent", Map.of())))
        .contains(new WorkloadRef(WorkloadKind.DaemonSet, "shop", "agent"));
    assertThat(PodWorkload.of(owned("Job", "once", Map.of()))).isEmpty();
    assertThat(PodWorkload.of(new PodBuilder().withNewMetadata().withName("bare").endMetadata().build()))
        .isEqualTo(Optional.empty());
  }

  @Test
  void theHookIsTheLongestRecognisedSleep() {
    Pod pod = new PodBuilder().withNewSpec()
        .addNewContainer().withName("a").withNewLifecycle().withNewPreStop().withNewSleep().withSeconds(7L)
        .endSleep().endPreStop().endLifecycle().endContainer()
        .addNewContainer().withName("b").withNewLifecycle().withNewPreStop().withNewExec()
        .withCommand("sh", "-c", "sleep 12").endExec().endPreStop().endLifecycle().endContainer()
        .addNewContainer().withName("c").endContainer()
        .endSpec().build();
    assertThat(PodWorkload.hookSeconds(pod)).isEqualTo(12);
    assertThat(PodWorkload.hookSeconds(new Pod())).isZero();
  }
}
