package io.graceful.operator.core;

import static io.graceful.operator.core.CoreFixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.graceful.operator.api.argo.ArgoRollout;
import io.graceful.operator.api.argo.RolloutStatus;
import io.graceful.operator.api.v1alpha1.DeploymentState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Argo Rollouts: the same template path and patch as a Deployment, progress read from Argo's status (phase,
 * Progressing condition, observedGeneration as a string), and workloadRef left to the referenced Deployment.
 */
class ArgoRolloutTest {
  static ArgoRollout rollout(long generation) {
    try {
      ArgoRollout r = CoreFixtures.JSON.readValue("""
          {"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout",
           "metadata":{"namespace":"%s","name":"web","generation":%d,"labels":{"tier":"web"}},
           "spec":{"replicas":3,"strategy":{"canary":{"steps":[{"setWeight":20},{"pause":{}}]}},
             "selector":{"matchLabels":{"app":"web"}},
             "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"a"}]}}}}
          """.formatted(CoreFixtures.NS, generation), ArgoRollout.class);
      return r;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static RolloutStatus status(String phase, String observed, int replicas, int updated, int available) {
    RolloutStatus s = new RolloutStatus();
    s.setPhase(phase);
    s.setObservedGeneration(observed);
    s.setReplicas(replicas);
    s.setUpdatedReplicas(updated);
    s.setReadyReplicas(available);
    s.setAvailableReplicas(available);
    return s;
  }

  @Test
  void progressFollowsThePhaseOnceTheControllerSawTheGeneration() {
    ArgoRollout r = rollout(2);
    r.setStatus(status("Healthy", "1", 3, 3, 3));
    assertThat(RolloutProgress.of(r)).as("Healthy of generation 1 says nothing of generation 2")
        .isEqualTo(RolloutProgress.State.IN_PROGRESS);
    r.setStatus(status("Progressing", "2", 3, 1, 3));
    assertThat(RolloutProgress.of(r)).isEqualTo(RolloutProgress.State.IN_PROGRESS);
    r.setStatus(status("Paused", "2", 3, 1, 3));
    assertThat(RolloutProgress.of(r)).isEqualTo(RolloutProgress.State.PAUSED);
    r.setStatus(status("Healthy", "2", 3, 3, 3));
    assertThat(RolloutProgress.of(r)).isEqualTo(RolloutProgress.State.COMPLETE);
    r.setStatus(status("Degraded", "2", 3, 1, 2));
    assertThat(RolloutProgress.of(r)).isEqualTo(RolloutProgress.State.FAILED);
  }

  @Test
  void aProgressDeadlineOrAbortWithoutAPhaseFails() {
    for (String reason : List.of("ProgressDeadlineExceeded", "RolloutAborted")) {
      ArgoRollout r = rollout(2);
      RolloutStatus s = status(null, "2", 3, 1, 2);
      s.setConditions(new ArrayList<>(List.of(new RolloutStatus.Condition("Available", "True", "AvailableReason"),
          new RolloutStatus.Condition("Progressing", "False", reason))));
      r.setStatus(s);
      assertThat(RolloutProgress.of(r)).as(reason).isEqualTo(RolloutProgress.State.FAILED);
    }
    ArgoRollout r = rollout(2);
    RolloutStatus s = status(null, "2", 3, 3, 3);
    s.setConditions(List.of(new RolloutStatus.Condition("Progressing", "True", "NewReplicaSetAvailable")));
    r.setStatus(s);
    assertThat(RolloutProgress.of(r)).as("no phase: complete once every replica is updated and available")
        .isEqualTo(RolloutProgress.State.COMPLETE);
    r.setStatus(status(null, "2", 3, 2, 3));
    assertThat(RolloutProgress.of(r)).isEqualTo(RolloutProgress.State.IN_PROGRESS);
  }

  @Test
  void aHashAsObservedGenerationCountsAsCaughtUpAndNoPodsMeansNoRestart() {
    ArgoRollout r = rollout(5);
    r.setStatus(status("Healthy", "6d8f7c9b4", 3, 3, 3));
    assertThat(RolloutProgress.of(r)).isEqualTo(RolloutProgress.State.COMPLETE);
    ArgoRollout fresh = rollout(1);
    assertThat(RolloutProgress.restartsPods(fresh)).as("no status yet: brand new").isFalse();
    fresh.setStatus(status("Progressing", "1", 3, 3, 0));
    assertThat(RolloutProgress.restartsPods(fresh)).isTrue();
    fresh.getSpec().setReplicas(0);
    assertThat(RolloutProgress.restartsPods(fresh)).as("scaled to zero").isFalse();
  }

  @Test
  void aRolloutGetsTheSamePatchAsADeploymentOfTheSameTemplate() throws JsonProcessingException {
    ArgoRollout r = rollout(2);
    r.setStatus(status("Healthy", "2", 3, 3, 3));
    Deployment d = CoreFixtures.JSON.readValue(CoreFixtures.JSON.writeValueAsString(Map.of(
        "apiVersion", "apps/v1", "kind", "Deployment", "metadata", r.getMetadata(), "spec", Map.of(
            "replicas", 3, "template", r.getSpec().getTemplate()), "status", Map.of("observedGeneration", 2,
            "replicas", 3, "updatedReplicas", 3, "readyReplicas", 3, "availableReplicas", 3))), Deployment.class);
    var kinds = WorkloadKindsTest.governing("Deployment", "Rollout");
    WorkloadPlan forRollout = WorkloadPlanner.plan(Workload.of(r), List.of(policy("web", kinds)), CoreFixtures.NATIVE);
    WorkloadPlan forDeployment = WorkloadPlanner.plan(Workload.of(d), List.of(policy("web", kinds)),
        CoreFixtures.NATIVE);
    assertThat(forRollout.ref()).isEqualTo(new WorkloadRef(WorkloadKind.Rollout, CoreFixtures.NS, "web"));
    assertThat(forRollout.change()).isEqualTo(Change.APPLY);
    assertThat(forRollout.patch()).isEqualTo(forDeployment.patch());
    assertThat(RolloutProgress.changesTemplate(forRollout)).isTrue();
  }

  @Test
  void aPausedRolloutOfTheOperatorsChangeHoldsItsSlotAndSaysSo() {
    ArgoRollout r = rollout(2);
    r.setStatus(status("Healthy", "2", 3, 3, 3));
    List<PolicySnapshot> policies = List.of(policy("web", WorkloadKindsTest.governing("Rollout")));
    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(r), policies, CoreFixtures.NATIVE);
    ArgoRollout written = CoreFixtures.applyAny(plan, r);
    written.getMetadata().setGeneration(3L);
    assertThat(written.getMetadata().getAnnotations()).containsEntry(GracefulAnnotations.ROLLOUT, "3");

    written.setStatus(status("Paused", "3", 4, 1, 3));
    Workload paused = Workload.of(written);
    assertThat(RolloutProgress.operatorRolloutInFlight(paused)).isTrue();
    WorkloadPlan again = WorkloadPlanner.plan(paused, policies, CoreFixtures.NATIVE);
    assertThat(again.writes()).isFalse();
    assertThat(again.verdicts().get(0).state()).isEqualTo(DeploymentState.Applied);
    assertThat(again.verdicts().get(0).reason()).isEqualTo("RolloutPaused");
    assertThat(again.verdicts().get(0).message()).contains("holds a rollout slot until the rollout is promoted");

    written.setStatus(status("Degraded", "3", 4, 1, 3));
    assertThat(RolloutProgress.operatorRolloutFailed(Workload.of(written))).as("counts for the circuit breaker")
        .isTrue();
    assertThat(RolloutProgress.operatorRolloutInFlight(Workload.of(written))).isFalse();

    written.setStatus(status("Healthy", "3", 3, 3, 3));
    assertThat(RolloutProgress.operatorRolloutInFlight(Workload.of(written))).isFalse();
    assertThat(WorkloadPlanner.plan(Workload.of(written), policies, CoreFixtures.NATIVE).verdicts().get(0).reason())
        .isEqualTo("Applied");
  }

  @Test
  void aRolloutWithWorkloadRefIsSkippedAndNeverWritten() {
    ArgoRollout r = rollout(2);
    r.getSpec().setTemplate(null);
    r.getSpec().setWorkloadRef(Map.of("apiVersion", "apps/v1", "kind", "Deployment", "name", "web"));
    r.setStatus(status("Healthy", "2", 3, 3, 3));
    Workload w = Workload.of(r);
    assertThat(w.templateReferenced()).isTrue();
    assertThat(w.restartsPods()).as("its pods are the referenced Deployment's template").isFalse();
    WorkloadPlan plan = WorkloadPlanner.plan(w, List.of(policy("web", WorkloadKindsTest.governing("Rollout"))),
        CoreFixtures.NATIVE);
    assertThat(plan.writes()).isFalse();
    assertThat(plan.verdicts()).singleElement().satisfies(v -> {
      assertThat(v.state()).isEqualTo(DeploymentState.Skipped);
      assertThat(v.reason()).isEqualTo("TemplateInWorkloadRef");
      assertThat(v.message()).contains("spec.workloadRef").contains("governed as a Deployment");
    });
  }

  @Test
  void aPolicyListingAnUnavailableKindSaysSoInItsValidCondition() {
    PolicySnapshot p = policy("web", WorkloadKindsTest.governing("Deployment", "Rollout"));
    var status = PolicyStatusCalculator.compute(p, List.of(), null, NativeSleepDecision.forced(true), "now",
        RolloutHolds.NONE, Map.of(), Map.of(WorkloadKind.Rollout, "the CRD rollouts.argoproj.io is not installed"));
    var valid = status.getConditions().stream().filter(c -> c.getType().equals("Valid")).findFirst().orElseThrow();
    assertThat(valid.getStatus()).isEqualTo("True");
    assertThat(valid.getMessage()).isEqualTo("the spec is valid; Rollout is not governed now: the CRD "
        + "rollouts.argoproj.io is not installed");
    PolicySnapshot deploymentsOnly = policy("d", WorkloadKindsTest.governing("Deployment"));
    var other = PolicyStatusCalculator.compute(deploymentsOnly, List.of(), null, NativeSleepDecision.forced(true),
        "now", RolloutHolds.NONE, Map.of(), Map.of(WorkloadKind.Rollout, "absent"));
    assertThat(other.getConditions()).filteredOn(c -> c.getType().equals("Valid")).singleElement()
        .satisfies(c -> assertThat(c.getMessage()).isEqualTo("the spec is valid"));
  }
}
