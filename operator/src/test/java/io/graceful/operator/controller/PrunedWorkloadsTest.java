package io.graceful.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import io.graceful.operator.api.v1alpha1.PreStopSpec;
import io.graceful.operator.core.PlanningContext;
import io.graceful.operator.core.PolicySnapshot;
import io.graceful.operator.core.Workload;
import io.graceful.operator.core.WorkloadPlanner;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pruned StatefulSet and DaemonSet caches keep everything planning and the budget read, and drop the rest. */
class PrunedWorkloadsTest {

  private static List<PolicySnapshot> policies() {
    GracefulPolicySpec spec = new GracefulPolicySpec();
    spec.setSelector(new LabelSelectorBuilder().addToMatchLabels("tier", "web").build());
    spec.setPreStop(new PreStopSpec(10L, null));
    spec.setShutdownSeconds(30L);
    spec.setWorkloads(List.of("StatefulSet", "DaemonSet"));
    return List.of(new PolicySnapshot("shop", "web", "2026-01-01T00:00:00Z", 1, spec));
  }

  static StatefulSet fullStatefulSet(String strategy) {
    return new StatefulSetBuilder().withNewMetadata().withNamespace("shop").withName("db").withUid("u1")
        .withGeneration(4L).withLabels(Map.of("tier", "web")).withAnnotations(Map.of("graceful.io/rollout", "4"))
        .endMetadata()
        .withNewSpec().withReplicas(3).withServiceName("db").withPodManagementPolicy("OrderedReady")
        .withNewUpdateStrategy().withType(strategy).withNewRollingUpdate().withPartition(1).endRollingUpdate()
        .endUpdateStrategy()
        .withNewSelector().addToMatchLabels("app", "db").endSelector()
        .addNewVolumeClaimTemplate().withNewMetadata().withName("data").endMetadata().endVolumeClaimTemplate()
        .withNewTemplate().withNewMetadata().addToLabels("app", "db").endMetadata().withNewSpec()
        .addNewContainer().withName("db").withImage("registry.example/db:1").addNewEnv().withName("A").withValue("b")
        .endEnv().endContainer().endSpec().endTemplate().endSpec()
        .withNewStatus().withObservedGeneration(4L).withReplicas(3).withReadyReplicas(3).withUpdatedReplicas(2)
        .withCurrentRevision("db-3").withUpdateRevision("db-4").withAvailableReplicas(3).endStatus().build();
  }

  static DaemonSet fullDaemonSet() {
    return new DaemonSetBuilder().withNewMetadata().withNamespace("shop").withName("proxy").withUid("u2")
        .withGeneration(2L).withLabels(Map.of("tier", "web")).endMetadata()
        .withNewSpec().withNewUpdateStrategy().withType("RollingUpdate").endUpdateStrategy()
        .withNewSelector().addToMatchLabels("app", "proxy").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "proxy").endMetadata().withNewSpec()
        .addNewContainer().withName("envoy").withImage("registry.example/envoy:1").endContainer().endSpec()
        .endTemplate().endSpec()
        .withNewStatus().withObservedGeneration(2L).withDesiredNumberScheduled(3).withCurrentNumberScheduled(3)
        .withUpdatedNumberScheduled(3).withNumberAvailable(2).withNumberReady(2).withNumberMisscheduled(0)
        .endStatus().build();
  }

  /** What the budget and the rules read besides the template (the template is compared through the plans). */
  private static List<Object> facts(Workload w) {
    return List.of(w.ref(), w.generation(), w.labels(), w.annotations(), String.valueOf(w.strategyType()),
        w.restartsPods(), w.rollout());
  }

  @Test
  void aPrunedStatefulSetPlansAndRollsOutAsTheFullOne() {
    for (String strategy : List.of("RollingUpdate", "OnDelete")) {
      StatefulSet full = fullStatefulSet(strategy);
      StatefulSet pruned = PrunedWorkloads.prune(full);
      assertThat(facts(Workload.of(pruned))).as(strategy).isEqualTo(facts(Workload.of(fullStatefulSet(strategy))));
      assertThat(WorkloadPlanner.plan(Workload.of(pruned), policies(), new PlanningContext(true, 3)))
          .isEqualTo(WorkloadPlanner.plan(Workload.of(full), policies(), new PlanningContext(true, 3)));
      assertThat(pruned.getSpec().getVolumeClaimTemplates()).isEmpty();
      assertThat(pruned.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isNull();
      assertThat(pruned.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()).isEmpty();
    }
  }

  @Test
  void aPrunedDaemonSetPlansAndRollsOutAsTheFullOne() {
    DaemonSet pruned = PrunedWorkloads.prune(fullDaemonSet());
    assertThat(facts(Workload.of(pruned))).isEqualTo(facts(Workload.of(fullDaemonSet())));
    assertThat(WorkloadPlanner.plan(Workload.of(pruned), policies(), new PlanningContext(true, 3)))
        .isEqualTo(WorkloadPlanner.plan(Workload.of(fullDaemonSet()), policies(), new PlanningContext(true, 3)));
    assertThat(pruned.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isNull();
  }
}
