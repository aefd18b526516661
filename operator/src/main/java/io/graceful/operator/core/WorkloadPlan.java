package io.graceful.operator.core;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.graceful.operator.api.v1alpha1.HookAction;
import java.util.List;
import java.util.Optional;

/**
 * The complete decision for one workload: what each matching policy sees, what (if anything) to write, and the
 * words for status and Events. A pure function of the workload, the policies of its namespace and the context.
 *
 * @param ref the workload planned
 * @param verdicts one per matching policy, the governing (first in precedence) first
 * @param governingPolicy the name of the policy whose values the workload should carry, or null
 * @param action the resolved hook action of the governing policy, or null
 * @param patch the JSON Patch that performs {@link #change()}; empty when it is {@link Change#NONE}
 * @param summary what the change does, in words (the Event message)
 */
public record WorkloadPlan(
    WorkloadRef ref,
    List<PolicyVerdict> verdicts,
    String governingPolicy,
    HookAction action,
    Change change,
    ArrayNode patch,
    String summary,
    List<Notice> notices) {

  public WorkloadPlan {
    verdicts = List.copyOf(verdicts);
    notices = List.copyOf(notices);
  }

  public String namespace() {
    return ref.namespace();
  }

  public String name() {
    return ref.name();
  }

  public Optional<PolicyVerdict> verdictFor(String policy) {
    return verdicts.stream().filter(v -> v.policy().equals(policy)).findFirst();
  }

  public boolean writes() {
    return change != Change.NONE;
  }
}
