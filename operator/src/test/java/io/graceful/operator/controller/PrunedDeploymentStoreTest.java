package io.graceful.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import io.graceful.operator.api.v1alpha1.PreStopSpec;
import io.graceful.operator.core.PlanningContext;
import io.graceful.operator.core.PolicySnapshot;
import io.graceful.operator.core.RolloutProgress;
import io.graceful.operator.core.Workload;
import io.graceful.operator.core.WorkloadPlanner;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrunedDeploymentStoreTest {
  static Deployment full() {
    return new DeploymentBuilder()
        .withNewMetadata().withNamespace("shop").withName("web").withUid("u-1").withGeneration(4L)
          .withResourceVersion("77").withCreationTimestamp("2026-01-01T00:00:00Z")
          .withLabels(Map.of("tier", "web"))
          .withAnnotations(Map.of("graceful.io/sleep-seconds", "12", "kubectl.kubernetes.io/last-applied-configuration", "{}"))
          .addNewManagedField().withManager("kubectl").withOperation("Update").endManagedField()
          .addNewManagedField().withManager("argocd-controller").withOperation("Apply")
            .withNewFieldsV1().addToAdditionalProperties("f:spec", Map.of("f:replicas", Map.of(), "f:template",
                Map.of("f:spec", Map.of("f:terminationGracePeriodSeconds", Map.of(), "f:containers", Map.of()))))
            .endFieldsV1().endManagedField()
        .endMetadata()
        .withNewSpec().withReplicas(3)
          .withNewSelector().addToMatchLabels("app", "web").endSelector()
          .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
            .withNewSpec().withTerminationGracePeriodSeconds(40L)
              .addToInitContainers(new ContainerBuilder().withName("migrate").withImage("m:1").build())
              .addToContainers(new ContainerBuilder().withName("app").withImage("app:1")
                  .withNewResources().addToRequests("cpu", new Quantity("100m")).endResources()
                  .addNewEnv().withName("A").withValue("b").endEnv().build())
              .addToContainers(new ContainerBuilder().withName("side").withImage("side:1")
                  .withNewLifecycle().withNewPreStop().withNewExec().withCommand("sh", "-c", "sleep 20").endExec()
                  .endPreStop().endLifecycle().build())
            .endSpec()
          .endTemplate()
        .endSpec()
        .withNewStatus().withObservedGeneration(3L).withReplicas(3).withUpdatedReplicas(1).withReadyReplicas(3)
          .withAvailableReplicas(3)
          .addNewCondition().withType("Progressing").withStatus("True").withReason("ReplicaSetUpdated").endCondition()
          .addNewCondition().withType("Available").withStatus("True").endCondition()
        .endStatus()
        .build();
  }

  @Test
  void keepsWhatTheOperatorReadsAndDropsTheRest() {
    Deployment p = PrunedWorkloads.prune(full());
    // field management only as far as the grace period's owners (GitOps detection), nothing else
    assertThat(p.getMetadata().getManagedFields()).singleElement().satisfies(e -> {
      assertThat(e.getManager()).isEqualTo("argocd-controller");
      assertThat(e.getFieldsV1().getAdditionalProperties()).isEqualTo(Map.of("f:spec", Map.of("f:template",
          Map.of("f:spec", Map.of("f:terminationGracePeriodSeconds", Map.of())))));
    });
    assertThat(p.getMetadata().getAnnotations()).isEqualTo(full().getMetadata().getAnnotations());
    assertThat(p.getMetadata().getLabels()).isEqualTo(full().getMetadata().getLabels());
    assertThat(p.getMetadata().getGeneration()).isEqualTo(4L);
    assertThat(p.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(p.getSpec().getStrategy()).isNull();
    assertThat(p.getSpec().getTemplate().getSpec().getContainers()).extracting(c -> c.getName())
        .containsExactly("app", "side");
    assertThat(p.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isNull();
    assertThat(p.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()).isEmpty();
    assertThat(p.getSpec().getTemplate().getSpec().getContainers().get(1).getLifecycle())
        .isEqualTo(full().getSpec().getTemplate().getSpec().getContainers().get(1).getLifecycle());
    assertThat(p.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isEqualTo(40L);
    assertThat(p.getStatus().getConditions()).extracting(c -> c.getType()).containsExactly("Progressing");
    assertThat(RolloutProgress.of(p)).isEqualTo(RolloutProgress.of(full()));
    assertThat(RolloutProgress.restartsPods(p)).isEqualTo(RolloutProgress.restartsPods(full()));
  }

  @Test
  void keepsTheControllingOwnerAndTheStrategyType() {
    Deployment owned = new DeploymentBuilder(full())
        .editMetadata()
          .addNewOwnerReference().withApiVersion("v1").withKind("ConfigMap").withName("bundle").withUid("o-1")
            .endOwnerReference()
          .addNewOwnerReference().withApiVersion("example.com/v1").withKind("Gateway").withName("edge")
            .withUid("o-2").withController(true).endOwnerReference()
        .endMetadata()
        .editSpec().withNewStrategy().withType("Recreate").withNewRollingUpdate().endRollingUpdate().endStrategy()
        .endSpec()
        .build();
    Deployment p = PrunedWorkloads.prune(owned);
    // R14 and R15 read the controlling owner and the strategy's type; other owner references are dropped
    assertThat(p.getMetadata().getOwnerReferences()).extracting(r -> r.getName()).containsExactly("edge");
    assertThat(p.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(p.getSpec().getStrategy().getRollingUpdate()).isNull();
    var fromPruned = WorkloadPlanner.plan(Workload.of(p), policies(), new PlanningContext(true, 3));
    assertThat(fromPruned)
        .isEqualTo(WorkloadPlanner.plan(Workload.of(owned), policies(), new PlanningContext(true, 3)));
    assertThat(fromPruned.verdicts()).extracting(v -> v.reason()).containsExactly("OwnedByController");
  }

  private static List<PolicySnapshot> policies() {
    GracefulPolicySpec spec = new GracefulPolicySpec();
    spec.setSelector(new LabelSelectorBuilder().addToMatchLabels("tier", "web").build());
    spec.setPreStop(new PreStopSpec(10L, null));
    spec.setShutdownSeconds(30L);
    return List.of(new PolicySnapshot("shop", "web", "2026-01-01T00:00:00Z", 1, spec));
  }

  @Test
  void planningAPrunedDeploymentGivesTheSamePlan() {
    List<PolicySnapshot> policies = policies();
    PlanningContext ctx = new PlanningContext(true, 3);
    var fromFull = WorkloadPlanner.plan(Workload.of(full()), policies, ctx);
    var fromPruned = WorkloadPlanner.plan(Workload.of(PrunedWorkloads.prune(full())), policies, ctx);
    assertThat(fromPruned).isEqualTo(fromFull);
    assertThat(fromPruned.patch()).isNotEmpty();
  }
}
