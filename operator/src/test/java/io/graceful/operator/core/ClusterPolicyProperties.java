package io.graceful.operator.core;

import static io.graceful.operator.core.CoreFixtures.apply;
import static io.graceful.operator.core.CoreFixtures.normalized;
import static io.graceful.operator.core.CoreFixtures.withoutOwnedFields;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of cluster policies in planning: R7 precedence across scopes and the namespace selector (R12). */
class ClusterPolicyProperties {
  private static final Map<String, String> PROD = Map.of("env", "prod");
  private static final NamespaceView SELECTED = new NamespaceView(PROD, "graceful-system");
  private static final NamespaceView NOT_SELECTED = new NamespaceView(Map.of("env", "dev"), "graceful-system");
  private final WorkloadPlannerProperties planner = new WorkloadPlannerProperties();

  private static LabelSelector prod() {
    return CoreFixtures.selector(PROD);
  }

  @Property(tries = 300)
  void precedenceIsATotalOrderIndependentOfInputOrder(@ForAll("mixedPolicies") List<PolicySnapshot> ps,
      @ForAll("annotations") String annotation, @ForAll long seed) {
    PolicyRef named = PolicyRef.parse(annotation, CoreFixtures.NS);
    List<PolicySnapshot> shuffled = new ArrayList<>(ps);
    Collections.shuffle(shuffled, new Random(seed));
    assertThat(PolicyPrecedence.order(shuffled, named)).isEqualTo(PolicyPrecedence.order(ps, named));
  }

  @Property(tries = 300)
  void aNamespacedPolicyAlwaysBeatsClusterPolicies(@ForAll("mixedPolicies") List<PolicySnapshot> ps,
      @ForAll("annotations") String annotation) {
    PolicyRef named = PolicyRef.parse(annotation, CoreFixtures.NS);
    List<PolicySnapshot> ordered = PolicyPrecedence.order(ps, named);
    List<PolicySnapshot> rest = ordered.stream().filter(p -> !p.ref().equals(named)).toList();
    // apart from the annotation-named policy, every namespaced policy comes before every cluster policy
    int firstCluster = rest.stream().filter(PolicySnapshot::isCluster).findFirst().map(rest::indexOf)
        .orElse(rest.size());
    assertThat(rest.subList(firstCluster, rest.size())).allMatch(PolicySnapshot::isCluster);
    if (!ordered.isEmpty() && ps.stream().noneMatch(p -> p.ref().equals(named))
        && ps.stream().anyMatch(p -> !p.isCluster())) {
      assertThat(ordered.get(0).isCluster()).isFalse();
    }
  }

  @Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
  void aNamespaceThatStopsMatchingIsRevertedExactly(@ForAll("clusterWorlds") WorkloadPlannerProperties.World w) {
    Deployment original = w.deployment();
    WorkloadPlan applyPlan = WorkloadPlanner.plan(w.view(original), w.policies(), w.context(), SELECTED);
    Deployment applied = apply(applyPlan, original);
    if (applyPlan.governingPolicy() != null) {
      assertThat(applyPlan.governingPolicy()).startsWith(PolicyRef.CLUSTER_PREFIX);
    }
    WorkloadPlan revert = WorkloadPlanner.plan(w.view(applied), w.policies(), w.context(), NOT_SELECTED);
    Deployment restored = apply(revert, applied);
    assertThat(normalized(restored)).isEqualTo(normalized(original));
    assertThat(revert.verdicts()).isEmpty();
    assertThat(WorkloadPlanner.plan(w.view(restored), w.policies(), w.context(), NOT_SELECTED).change())
        .isEqualTo(Change.NONE);
  }

  /**
   * A team's namespaced policy taking over from the platform's cluster policy re-plans from the original (R8): the
   * result is settled, only the operator's fields differ from the original, and removing every policy restores
   * the original exactly. (The grace period may stay where the cluster policy raised it: R2 never lowers it.)
   */
  @Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
  void switchingFromAClusterToANamespacedPolicyKeepsTheUndoExact(
      @ForAll("clusterWorlds") WorkloadPlannerProperties.World w, @ForAll("namespacedSpec") GracefulPolicySpec spec) {
    Deployment original = w.deployment();
    Deployment applied = apply(WorkloadPlanner.plan(w.view(original), w.policies(), w.context(), SELECTED), original);
    List<PolicySnapshot> both = new ArrayList<>(w.policies());
    both.add(new PolicySnapshot(CoreFixtures.NS, "team", "2030-01-01T00:00:00Z", 1, spec));
    WorkloadPlan switchPlan = WorkloadPlanner.plan(w.view(applied), both, w.context(), SELECTED);
    Deployment switched = apply(switchPlan, applied);
    if (switchPlan.governingPolicy() != null && !w.view(original).labels().isEmpty()
        && GovernedKinds.governs(spec, w.kind()) && LabelSelectorMatcher.matches(spec.getSelector(),
            w.view(original).labels())) {
      assertThat(switchPlan.governingPolicy()).as("the namespaced policy wins").isEqualTo("team");
    }
    assertThat(switchPlan.verdicts()).noneMatch(v -> v.policy().startsWith(PolicyRef.CLUSTER_PREFIX)
        && v.reason().equals("GovernedByOtherPolicy") && "team".equals(switchPlan.governingPolicy()));
    assertThat(WorkloadPlanner.plan(w.view(switched), both, w.context(), SELECTED).change()).isEqualTo(Change.NONE);
    assertThat(withoutOwnedFields(switched)).isEqualTo(withoutOwnedFields(original));
    Deployment restored = apply(WorkloadPlanner.plan(w.view(switched), List.of(), w.context(), SELECTED), switched);
    assertThat(normalized(restored)).isEqualTo(normalized(original));
  }

  // ------------------------------------------------------------------------------------------ generators

  @Provide
  Arbitrary<String> annotations() {
    return Arbitraries.of("a", "b", "cluster/a", "cluster/b", "cluster/zz").injectNull(0.4);
  }

  @Provide
  Arbitrary<GracefulPolicySpec> namespacedSpec() {
    return planner.specs();
  }

  @Provide
  Arbitrary<List<PolicySnapshot>> mixedPolicies() {
    Arbitrary<String> names = Arbitraries.of("a", "b", "c");
    Arbitrary<String> created = Arbitraries.of("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z").injectNull(0.1);
    Arbitrary<PolicySnapshot> one = Combinators.combine(names, created, Arbitraries.of(true, false),
        Arbitraries.longs().between(-2, 2)).as((name, ts, cluster, prio) -> {
          GracefulPolicySpec s = CoreFixtures.spec(5, 10L);
          s.setPriority(prio);
          return cluster ? PolicySnapshot.cluster(name, ts, 1, s, prod())
              : new PolicySnapshot(CoreFixtures.NS, name, ts, 1, s);
        });
    // names are unique per scope, as the API server keeps them
    return one.list().ofMaxSize(6).uniqueElements(PolicySnapshot::ref);
  }

  /** Worlds whose policies are all cluster policies selecting {@code env=prod} namespaces. */
  @Provide
  Arbitrary<WorkloadPlannerProperties.World> clusterWorlds() {
    return planner.worlds().map(w -> new WorkloadPlannerProperties.World(w.deployment(),
        w.policies().stream().filter(p -> CoreFixtures.NS.equals(p.namespace()))
            .map(p -> PolicySnapshot.cluster(p.name(), p.creationTimestamp(), p.generation(), p.spec(), prod()))
            .toList(), w.context(), w.kind(), w.updateStrategy()));
  }
}
