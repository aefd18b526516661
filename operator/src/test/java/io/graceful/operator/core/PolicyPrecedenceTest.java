package io.graceful.operator.core;

import static io.graceful.operator.core.CoreFixtures.policy;
import static io.graceful.operator.core.CoreFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyPrecedenceTest {

  private static PolicySnapshot p(String name, long priority, String created) {
    GracefulPolicySpec s = spec(5, 10L);
    s.setPriority(priority);
    return policy(name, created, s);
  }

  private static List<String> order(String annotated, PolicySnapshot... ps) {
    return PolicyPrecedence.order(List.of(ps), named(annotated)).stream().map(PolicySnapshot::name).toList();
  }

  /** What the workload's graceful.io/policy annotation names, as the planner parses it. */
  private static PolicyRef named(String annotated) {
    return PolicyRef.parse(annotated, CoreFixtures.NS);
  }

  @Test
  void annotationBeatsPriorityAgeAndName() {
    PolicySnapshot high = p("a-high", 100, "2020-01-01T00:00:00Z");
    PolicySnapshot named = p("z-named", -5, "2025-01-01T00:00:00Z");
    assertThat(order("z-named", high, named)).containsExactly("z-named", "a-high");
    assertThat(PolicyPrecedence.explain(named, high, named("z-named"))).contains("graceful.io/policy");
  }

  @Test
  void higherPriorityBeatsAge() {
    PolicySnapshot old = p("old", 1, "2020-01-01T00:00:00Z");
    PolicySnapshot young = p("young", 2, "2025-01-01T00:00:00Z");
    assertThat(order(null, old, young)).containsExactly("young", "old");
    assertThat(PolicyPrecedence.explain(young, old, named(null))).contains("higher priority (2 > 1)");
  }

  @Test
  void olderBeatsNameAtEqualPriority() {
    PolicySnapshot old = p("zz", 0, "2020-01-01T00:00:00Z");
    PolicySnapshot young = p("aa", 0, "2025-01-01T00:00:00Z");
    assertThat(order(null, young, old)).containsExactly("zz", "aa");
    assertThat(PolicyPrecedence.explain(old, young, named(null))).contains("older");
  }

  @Test
  void nameBreaksTheLastTie() {
    PolicySnapshot b = p("b", 0, "2024-01-01T00:00:00Z");
    PolicySnapshot a = p("a", 0, "2024-01-01T00:00:00Z");
    assertThat(order(null, b, a)).containsExactly("a", "b");
    assertThat(PolicyPrecedence.explain(a, b, named(null))).contains("name");
  }

  @Test
  void missingPriorityIsZeroAndMissingTimestampIsYoungest() {
    PolicySnapshot noPriority = policy("np", "2024-01-01T00:00:00Z", spec(5, 10L));
    PolicySnapshot negative = p("neg", -1, "2020-01-01T00:00:00Z");
    assertThat(order(null, negative, noPriority)).containsExactly("np", "neg");
    PolicySnapshot noTime = policy("a", null, spec(5, 10L));
    PolicySnapshot timed = policy("b", "2024-01-01T00:00:00Z", spec(5, 10L));
    assertThat(order(null, noTime, timed)).containsExactly("b", "a");
  }

  @Test
  void annotationNamingAPolicyThatDoesNotMatchChangesNothing() {
    PolicySnapshot a = p("a", 0, "2024-01-01T00:00:00Z");
    PolicySnapshot b = p("b", 5, "2024-01-01T00:00:00Z");
    assertThat(order("ghost", a, b)).containsExactly("b", "a");
  }

  @Test
  void aNamespacedPolicyBeatsAClusterPolicyWhateverItsPriorityAndAge() {
    GracefulPolicySpec s = spec(5, 10L);
    s.setPriority(1000L);
    PolicySnapshot platform = PolicySnapshot.cluster("a-platform", "2020-01-01T00:00:00Z", 1, s,
        new io.fabric8.kubernetes.api.model.LabelSelector());
    PolicySnapshot team = p("z-team", -5, "2025-01-01T00:00:00Z");
    assertThat(order(null, platform, team)).containsExactly("z-team", "a-platform");
    // the annotation still comes first, and names the cluster policy with its prefix
    assertThat(order("cluster/a-platform", team, platform)).containsExactly("a-platform", "z-team");
    assertThat(order("a-platform", team, platform)).as("a bare name is a namespaced policy")
        .containsExactly("z-team", "a-platform");
  }
}
