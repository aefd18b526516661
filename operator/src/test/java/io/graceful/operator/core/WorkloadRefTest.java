package io.graceful.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class WorkloadRefTest {

  @Test
  void readsAsPeopleWriteIt() {
    assertThat(WorkloadRef.deployment("shop", "web")).hasToString("Deployment shop/web");
    assertThat(new WorkloadRef(WorkloadKind.StatefulSet, "db", "pg")).hasToString("StatefulSet db/pg");
  }

  @Test
  void theSameNameInAnotherKindIsAnotherWorkload() {
    WorkloadRef deployment = WorkloadRef.deployment("shop", "web");
    WorkloadRef statefulSet = new WorkloadRef(WorkloadKind.StatefulSet, "shop", "web");
    assertThat(deployment).isNotEqualTo(statefulSet);
    assertThat(deployment.key()).isEqualTo("Deployment/shop/web").isNotEqualTo(statefulSet.key());
  }

  @Test
  void eachKindKnowsWhereItsApiLives() {
    assertThat(WorkloadKind.Deployment.apiVersion()).isEqualTo("apps/v1");
    assertThat(WorkloadKind.StatefulSet.plural()).isEqualTo("statefulsets");
    assertThat(WorkloadKind.DaemonSet.plural()).isEqualTo("daemonsets");
    assertThat(WorkloadKind.Rollout.apiVersion()).isEqualTo("argoproj.io/v1alpha1");
    assertThat(WorkloadKind.Rollout.plural()).isEqualTo("rollouts");
    assertThat(Arrays.stream(WorkloadKind.values()).map(WorkloadKind::plural).distinct()).hasSize(4);
  }
}
