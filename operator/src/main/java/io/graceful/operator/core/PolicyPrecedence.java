package io.graceful.operator.core;

import java.util.Comparator;
import java.util.List;

/**
 * R7: when several policies match one Deployment, the policy named by its {@code graceful.io/policy} annotation
 * wins, then the higher priority, then the older creationTimestamp, then the name.
 */
public final class PolicyPrecedence {
  private PolicyPrecedence() {
  }

  /**
   * Orders {@code matching} from winner to last; invalid policies keep their place (they freeze, never yield).
   *
   * @param annotatedPolicy the policy the workload's {@code graceful.io/policy} names, or null
   */
  public static List<PolicySnapshot> order(List<PolicySnapshot> matching, PolicyRef annotatedPolicy) {
    Comparator<PolicySnapshot> named = Comparator.comparing(p -> !p.ref().equals(annotatedPolicy));
    Comparator<PolicySnapshot> byPriority = Comparator.comparingLong(PolicyPrecedence::priority).reversed();
    Comparator<PolicySnapshot> byAge = Comparator.comparing(p -> p.creationTimestamp() == null ? "~"
        : p.creationTimestamp());
    return matching.stream()
        .sorted(named.thenComparing(byPriority).thenComparing(byAge).thenComparing(PolicySnapshot::name))
        .toList();
  }

  /** Why the winner beat {@code loser}, in words for status and Events. */
  public static String explain(PolicySnapshot winner, PolicySnapshot loser, PolicyRef annotatedPolicy) {
    if (winner.ref().equals(annotatedPolicy)) {
      return "the Deployment names it in " + GracefulAnnotations.POLICY;
    }
    if (priority(winner) != priority(loser)) {
      return "higher priority (" + priority(winner) + " > " + priority(loser) + ")";
    }
    if (winner.creationTimestamp() != null && !winner.creationTimestamp().equals(loser.creationTimestamp())) {
      return "same priority, older policy";
    }
    return "same priority and age, name sorts first";
  }

  private static long priority(PolicySnapshot p) {
    return p.spec() == null || p.spec().getPriority() == null ? 0 : p.spec().getPriority();
  }
}
