package io.graceful.operator.core;

import java.util.Comparator;
import java.util.List;

/**
 * R7: when several policies match one workload, the policy named by its {@code graceful.io/policy} annotation
 * wins, then any namespaced GracefulPolicy over any ClusterGracefulPolicy (teams refine the platform default), then
 * the higher priority, then the older creationTimestamp, then the name (and, last, the scope, so the order is total
 * even for a namespaced and a cluster policy of the same name).
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
        .sorted(named.thenComparing(PolicySnapshot::isCluster).thenComparing(byPriority).thenComparing(byAge)
            .thenComparing(PolicySnapshot::name).thenComparing(p -> p.ref().key()))
        .toList();
  }

  /** Why the winner beat {@code loser}, in words for status and Events. */
  public static String explain(PolicySnapshot winner, PolicySnapshot loser, PolicyRef annotatedPolicy) {
    if (winner.ref().equals(annotatedPolicy)) {
      return "the workload names it in " + GracefulAnnotations.POLICY;
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
