package io.graceful.operator.core;

import static io.graceful.operator.core.CoreFixtures.JSON;
import static io.graceful.operator.core.CoreFixtures.NATIVE;
import static io.graceful.operator.core.CoreFixtures.apply;
import static io.graceful.operator.core.CoreFixtures.copy;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.graceful.operator.api.v1alpha1.DeploymentState;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The undo record is read the same after the move to kind-neutral workloads and policy references: a Deployment
 * whose annotations the previous version wrote (taken from a golden input) is recognised as already applied, is
 * restored exactly when opted out, and a fresh apply writes the very same annotations. So an upgrade neither
 * re-applies nor loses anything (docs/design.md).
 */
class UndoRecordCompatibilityTest {
  private static final Path CASE = GoldenPlanningTest.GOLDEN.resolve("opted-out-revert");

  @Test
  void aDeploymentChangedByThePreviousVersionIsAlreadyApplied() throws IOException {
    Deployment written = writtenByPreviousVersion();

    WorkloadPlan plan = WorkloadPlanner.plan(Workload.of(written), policies(), NATIVE);

    assertThat(plan.ref()).isEqualTo(WorkloadRef.deployment("shop", "was-applied"));
    assertThat(plan.change()).as("nothing re-applied").isEqualTo(Change.NONE);
    assertThat(plan.governingPolicy()).isEqualTo("web");
    assertThat(plan.verdictFor("web")).hasValueSatisfying(v -> {
      assertThat(v.state()).isEqualTo(DeploymentState.Applied);
      assertThat(v.reason()).isEqualTo("Applied");
    });
  }

  @Test
  void theRecordNamesThePolicyOfTheWorkloadsNamespace() throws Exception {
    ManagedRecord record = ManagedRecord.read(writtenByPreviousVersion().getMetadata().getAnnotations()).orElseThrow();

    assertThat(PolicyRef.parse(record.policy(), "shop")).isEqualTo(policies().get(0).ref())
        .isEqualTo(PolicyRef.namespaced("shop", "web"));
  }

  @Test
  void optingOutRestoresTheTemplateBeforeThePreviousVersionsChange() throws IOException {
    Deployment written = writtenByPreviousVersion();
    written.getMetadata().getAnnotations().put(GracefulAnnotations.ENABLED, "false");

    Deployment reverted = apply(WorkloadPlanner.plan(Workload.of(written), policies(), NATIVE), written);

    assertThat(operatorAnnotations(reverted)).as("nothing lost: the record was read and removed").isEmpty();
    assertThat(specOf(reverted)).isEqualTo(specOf(beforeAnyChange()));
  }

  @Test
  void aFreshApplyWritesTheSameAnnotationsAndTemplate() throws IOException {
    Deployment fresh = beforeAnyChange();

    Deployment applied = apply(WorkloadPlanner.plan(Workload.of(fresh), policies(), NATIVE), fresh);

    Deployment written = writtenByPreviousVersion();
    assertThat(operatorAnnotations(applied)).isEqualTo(operatorAnnotations(written)).isNotEmpty();
    assertThat(specOf(applied)).isEqualTo(specOf(written));
  }

  /** The golden input's Deployment as the previous version left it after applying policy web (not opted out). */
  private static Deployment writtenByPreviousVersion() throws IOException {
    Deployment d = GoldenPlanningTest.input(CASE).stream()
        .filter(r -> r instanceof Deployment && "was-applied".equals(r.getMetadata().getName()))
        .map(Deployment.class::cast).findFirst().orElseThrow();
    d.getMetadata().getAnnotations().remove(GracefulAnnotations.ENABLED);
    return d;
  }

  /** The same Deployment before the operator changed it: no hook, no grace period, no operator annotations. */
  private static Deployment beforeAnyChange() throws IOException {
    Deployment d = copy(writtenByPreviousVersion());
    GracefulAnnotations.OWNED.forEach(d.getMetadata().getAnnotations()::remove);
    d.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(null);
    d.getSpec().getTemplate().getSpec().getContainers().forEach(c -> c.setLifecycle(null));
    return d;
  }

  private static List<PolicySnapshot> policies() throws IOException {
    return GoldenPlanningTest.input(CASE).stream().filter(GracefulPolicy.class::isInstance)
        .map(r -> GoldenPlanningTest.snapshot((GracefulPolicy) r)).toList();
  }

  private static JsonNode specOf(Deployment d) {
    return JSON.valueToTree(d.getSpec());
  }

  private static Map<String, String> operatorAnnotations(HasMetadata r) {
    Map<String, String> out = new TreeMap<>();
    if (r.getMetadata().getAnnotations() != null) {
      r.getMetadata().getAnnotations().forEach((k, v) -> {
        if (GracefulAnnotations.OWNED.contains(k)) {
          out.put(k, v);
        }
      });
    }
    return out;
  }
}
