package io.graceful.operator.core;

import static io.graceful.operator.core.CoreFixtures.container;
import static io.graceful.operator.core.CoreFixtures.web;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkloadTest {

  @Test
  void aDeploymentGivesItsIdentityMetadataTemplateAndRolloutFacts() {
    Deployment d = web(container("app"));
    d.getMetadata().setGeneration(7L);
    d.getMetadata().setAnnotations(Map.of(GracefulAnnotations.POLICY, "web"));
    d.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withKind("Gateway").withName("edge")
        .withController(true).build()));
    d.getSpec().setStrategy(new io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder()
        .withType("Recreate").build());
    d.setStatus(new DeploymentStatusBuilder().withReplicas(2).withObservedGeneration(6L).build());

    Workload w = Workload.of(d);

    assertThat(w.ref()).isEqualTo(WorkloadRef.deployment(CoreFixtures.NS, "web"));
    assertThat(w.generation()).isEqualTo(7);
    assertThat(w.labels()).containsEntry("tier", "web");
    assertThat(w.annotations()).containsEntry(GracefulAnnotations.POLICY, "web");
    assertThat(w.template()).isSameAs(d.getSpec().getTemplate());
    assertThat(w.strategyType()).isEqualTo("Recreate");
    assertThat(w.restartsPods()).isTrue();
    assertThat(w.rollout()).isEqualTo(RolloutProgress.State.IN_PROGRESS);
    assertThat(WorkloadShape.controllerOwner(w)).isEqualTo("Gateway edge");
    assertThat(WorkloadShape.recreates(w)).isTrue();
  }

  @Test
  void aBareDeploymentReadsAsEmptyNotNull() {
    Deployment bare = new DeploymentBuilder().withNewMetadata().withNamespace("shop").withName("bare").endMetadata()
        .build();

    Workload w = Workload.of(bare);

    assertThat(w.generation()).isZero();
    assertThat(w.labels()).isEmpty();
    assertThat(w.annotations()).isEmpty();
    assertThat(w.ownerReferences()).isEmpty();
    assertThat(w.managedFields()).isEmpty();
    assertThat(w.template()).isNull();
    assertThat(w.strategyType()).isNull();
    assertThat(w.restartsPods()).isFalse();
    assertThat(PodTemplateHooks.of(w)).isEmpty();
    assertThat(WorkloadShape.controllerOwner(w)).isNull();
  }

  @Test
  void onlyADeploymentRecreates() {
    Workload recreating = Workload.of(web(container("app")));
    Workload statefulSet = new Workload(new WorkloadRef(WorkloadKind.StatefulSet, "shop", "db"), 1, null, null,
        null, null, null, "Recreate", false, RolloutProgress.State.COMPLETE);

    assertThat(WorkloadShape.recreates(recreating)).isFalse();
    assertThat(WorkloadShape.recreates(statefulSet)).as("not a strategy a StatefulSet has").isFalse();
  }
}
