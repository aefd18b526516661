package io.graceful.operator.core;

import io.graceful.operator.api.v1alpha1.GovernedKind;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The workload kinds a policy governs ({@code spec.workloads}): a policy matches a workload, by selector or by the
 * workload's {@code graceful.io/policy} annotation, only when the workload's kind is listed.
 */
public final class GovernedKinds {
  /** What an omitted or empty list means: the operator governed only Deployments before the field existed. */
  public static final Set<WorkloadKind> DEFAULT = Set.of(WorkloadKind.Deployment);

  private GovernedKinds() {
  }

  /**
   * The kinds listed; an unknown name is left out here (it governs nothing) and reported by
   * {@link PolicySettings#validate}, which makes the policy invalid (R13).
   */
  public static Set<WorkloadKind> of(GracefulPolicySpec spec) {
    List<String> names = spec == null ? null : spec.getWorkloads();
    if (names == null || names.isEmpty()) {
      return DEFAULT;
    }
    Set<WorkloadKind> out = EnumSet.noneOf(WorkloadKind.class);
    for (String name : names) {
      if (servable(name)) {
        out.add(WorkloadKind.valueOf(name.trim()));
      }
    }
    return out;
  }

  public static boolean governs(GracefulPolicySpec spec, WorkloadKind kind) {
    return of(spec).contains(kind);
  }

  /** Whether a {@code spec.workloads} entry names a kind the operator serves. */
  static boolean servable(String name) {
    if (name == null) {
      return false;
    }
    for (GovernedKind k : GovernedKind.values()) {
      if (k.name().equals(name.trim())) {
        return true;
      }
    }
    return false;
  }
}
