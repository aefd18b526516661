package io.graceful.operator.core;

import java.util.List;
import java.util.Set;

/**
 * What the rollout budget holds back for one policy, as input to its status.
 *
 * @param waiting workloads waiting for a free rollout slot (by reference: a StatefulSet and a Deployment of one
 *     name are two workloads)
 * @param failed names of the policy's Deployments whose rollout failed (ProgressDeadlineExceeded)
 * @param halted the circuit breaker is open: too many failed rollouts, no new ones start
 */
public record RolloutHolds(Set<WorkloadRef> waiting, List<String> failed, boolean halted) {
  public static final RolloutHolds NONE = new RolloutHolds(Set.of(), List.of(), false);
}
