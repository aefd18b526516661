package io.graceful.operator.core;

import static io.graceful.operator.core.CoreFixtures.apply;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Admission is the controller's plan, made earlier: over random Deployments and policies, what admission stores is
 * what the controller would have written, and the controller then finds nothing to do.
 */
class AdmissionProperties {

  @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
  void theControllerFindsNothingLeftAfterAdmission(@ForAll("deploymentWorlds") WorkloadPlannerProperties.World w) {
    AdmissionPlanner.Decision decision = AdmissionPlanner.decide(w.deployment(), w.policies(), w.context(),
        NamespaceView.UNKNOWN);
    Statistics.label("result").collect(decision.result());
    // not vacuous: a good share of the worlds are mutated
    Statistics.label("result").coverage(c -> c.check(AdmissionResult.MUTATED).percentage(p -> p > 10.0));
    Deployment stored = apply(w.deployment(), decision.patch());
    WorkloadPlan controller = w.plan(stored);
    if (decision.result() == AdmissionResult.MUTATED) {
      assertThat(controller.writes()).as("controller after admission: %s", controller.summary()).isFalse();
    } else {
      assertThat(decision.patch()).isEmpty();
    }
  }

  @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
  void aNewWorkloadIsStoredExactlyAsTheControllerWouldWriteIt(
      @ForAll("deploymentWorlds") WorkloadPlannerProperties.World w) {
    Deployment fresh = CoreFixtures.copy(w.deployment());
    if (fresh.getMetadata().getAnnotations() != null) {
      GracefulAnnotations.OWNED.forEach(fresh.getMetadata().getAnnotations()::remove);
    }
    WorkloadPlan controller = w.plan(fresh);
    AdmissionPlanner.Decision decision = AdmissionPlanner.decide(fresh, w.policies(), w.context(),
        NamespaceView.UNKNOWN);
    Statistics.label("controller").collect(controller.change());
    Statistics.label("controller").coverage(c -> c.check(Change.APPLY).percentage(p -> p > 10.0));
    switch (controller.change()) {
      case APPLY -> {
        assertThat(decision.result()).isEqualTo(AdmissionResult.MUTATED);
        Deployment byController = apply(fresh, controller.patch());
        Deployment byAdmission = apply(fresh, decision.patch());
        assertThat(byAdmission.getSpec().getTemplate()).isEqualTo(byController.getSpec().getTemplate());
        assertThat(withoutRollout(byAdmission)).isEqualTo(withoutRollout(byController));
      }
      case NONE -> assertThat(decision.result()).isEqualTo(AdmissionResult.UNCHANGED);
      default -> assertThat(decision.patch()).isEmpty();
    }
  }

  private static Map<String, String> withoutRollout(Deployment d) {
    Map<String, String> out = new LinkedHashMap<>(CoreFixtures.annotations(d));
    out.remove(GracefulAnnotations.ROLLOUT);
    return out;
  }

  /** The planner properties' worlds, as Deployments (admission reads the object of the request's kind). */
  @Provide
  Arbitrary<WorkloadPlannerProperties.World> deploymentWorlds() {
    return new WorkloadPlannerProperties().worlds().map(w -> new WorkloadPlannerProperties.World(w.deployment(),
        w.policies(), w.context()));
  }
}
