package io.graceful.operator.core;

import io.graceful.operator.api.v1alpha1.ExistingHook;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import io.graceful.operator.api.v1alpha1.HookAction;
import io.graceful.operator.api.v1alpha1.PolicyMode;
import io.graceful.operator.api.v1alpha1.PreStopSpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A policy spec after validation and defaulting: every value is present and in range. The operator validates
 * itself (README: GracefulPolicy reference) because not every API server enforces the CRD schema and CEL rule.
 */
public record PolicySettings(
    long sleepSeconds,
    HookAction action,
    long shutdownSeconds,
    Long gracePeriodFloor,
    List<String> containers,
    Set<String> excludeContainers,
    ExistingHook existingHook,
    PolicyMode mode,
    long priority,
    LabelSelector selector) {

  public static final long MAX_SLEEP = 3600;
  public static final long MAX_SHUTDOWN = 3600;
  public static final long MAX_FLOOR = 7200;
  private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

  /** The outcome of validating a spec: settings when valid, otherwise every problem found. */
  public record Validated(PolicySettings settings, List<String> problems) {
    public boolean valid() {
      return problems.isEmpty();
    }
  }

  public static Validated validate(GracefulPolicySpec spec) {
    return validate(spec, null);
  }

  /**
   * @param tunedSleep the sleep drain tuning chose ({@link SleepAutoTuner}): the effective sleep instead of the
   *     spec's, when in range; the spec is still validated as written (its floor against its own sleep), because the
   *     planner raises the grace period to cover the tuned sleep (R2) or fits the hook into a fixed one (R1)
   */
  public static Validated validate(GracefulPolicySpec spec, Long tunedSleep) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      return new Validated(null, List.of("spec is missing"));
    }
    PreStopSpec preStop = spec.getPreStop();
    long sleep = 0;
    HookAction action = HookAction.Auto;
    if (preStop == null || preStop.getSleepSeconds() == null) {
      problems.add("spec.preStop.sleepSeconds is required");
    } else {
      sleep = preStop.getSleepSeconds();
      if (sleep < 1 || sleep > MAX_SLEEP) {
        problems.add("spec.preStop.sleepSeconds must be 1.." + MAX_SLEEP + ", got " + sleep);
      }
    }
    if (preStop != null && preStop.getAction() != null) {
      action = parseEnum(HookAction.class, preStop.getAction(), "spec.preStop.action", problems, HookAction.Auto);
    }
    long shutdown = spec.getShutdownSeconds() == null ? GracefulPolicySpec.DEFAULT_SHUTDOWN_SECONDS
        : spec.getShutdownSeconds();
    if (shutdown < 0 || shutdown > MAX_SHUTDOWN) {
      problems.add("spec.shutdownSeconds must be 0.." + MAX_SHUTDOWN + ", got " + shutdown);
    }
    Long floor = spec.getTerminationGracePeriodSeconds();
    if (floor != null) {
      if (floor < 1 || floor > MAX_FLOOR) {
        problems.add("spec.terminationGracePeriodSeconds must be 1.." + MAX_FLOOR + ", got " + floor);
      } else if (floor < sleep + shutdown) {
        problems.add("spec.terminationGracePeriodSeconds (" + floor + ") must be >= preStop.sleepSeconds + "
            + "shutdownSeconds (" + sleep + " + " + shutdown + " = " + (sleep + shutdown) + ")");
      }
    }
    ExistingHook existing = spec.getExistingHook() == null ? ExistingHook.Keep
        : parseEnum(ExistingHook.class, spec.getExistingHook(), "spec.existingHook", problems, ExistingHook.Keep);
    PolicyMode mode = spec.getMode() == null ? PolicyMode.Enforce
        : parseEnum(PolicyMode.class, spec.getMode(), "spec.mode", problems, PolicyMode.Enforce);
    long priority = spec.getPriority() == null ? 0 : spec.getPriority();
    if (Math.abs(priority) > 1_000_000) {
      problems.add("spec.priority must be -1000000..1000000, got " + priority);
    }
    List<String> containers = names(spec.getContainers(), "spec.containers", problems);
    List<String> excluded = names(spec.getExcludeContainers(), "spec.excludeContainers", problems);
    validateSelector(spec.getSelector(), problems);
    if (spec.getWorkloads() != null) {
      for (String kind : spec.getWorkloads()) {
        if (!GovernedKinds.servable(kind)) {
          problems.add("spec.workloads: unknown kind '" + kind + "' (allowed: Deployment, StatefulSet, DaemonSet, Rollout)");
        }
      }
    }
    if (!problems.isEmpty()) {
      return new Validated(null, List.copyOf(problems));
    }
    if (tunedSleep != null && tunedSleep >= 1 && tunedSleep <= MAX_SLEEP) {
      sleep = tunedSleep;
    }
    return new Validated(new PolicySettings(sleep, action, shutdown, floor, containers, Set.copyOf(excluded),
        existing, mode, priority, spec.getSelector()), List.of());
  }

  private static List<String> names(List<String> raw, String field, List<String> problems) {
    if (raw == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String name : raw) {
      if (name == null || name.isBlank()) {
        problems.add(field + " contains an empty name");
      } else if (!out.contains(name)) {
        out.add(name);
      }
    }
    return List.copyOf(out);
  }

  private static void validateSelector(LabelSelector selector, List<String> problems) {
    if (selector == null || selector.getMatchExpressions() == null) {
      return;
    }
    for (LabelSelectorRequirement req : selector.getMatchExpressions()) {
      String where = "spec.selector.matchExpressions[key=" + (req == null ? null : req.getKey()) + "]";
      if (req == null || req.getKey() == null || req.getKey().isBlank()) {
        problems.add("spec.selector.matchExpressions has an entry without a key");
        continue;
      }
      if (!OPERATORS.contains(req.getOperator())) {
        problems.add(where + ": operator must be one of In, NotIn, Exists, DoesNotExist, got " + req.getOperator());
        continue;
      }
      boolean hasValues = req.getValues() != null && !req.getValues().isEmpty();
      boolean needsValues = req.getOperator().equals("In") || req.getOperator().equals("NotIn");
      if (needsValues && !hasValues) {
        problems.add(where + ": operator " + req.getOperator() + " needs at least one value");
      } else if (!needsValues && hasValues) {
        problems.add(where + ": operator " + req.getOperator() + " takes no values");
      }
    }
  }

  private static <E extends Enum<E>> E parseEnum(Class<E> type, String raw, String field, List<String> problems,
      E fallback) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(raw)) {
        return e;
      }
    }
    List<String> allowed = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      allowed.add(e.name());
    }
    problems.add(field + " must be one of " + String.join(", ", allowed) + ", got '" + raw + "'"
        + (allowed.stream().anyMatch(a -> a.equalsIgnoreCase(raw)) ? " (values are case-sensitive)" : ""));
    return fallback;
  }

  /** Resolves {@code Auto} against what the API server supports: the result is {@code Sleep} or {@code Exec}. */
  public HookAction resolvedAction(boolean nativeSleepSupported) {
    return resolve(action, nativeSleepSupported);
  }

  static HookAction resolve(HookAction action, boolean nativeSleepSupported) {
    if (action == HookAction.Auto) {
      return nativeSleepSupported ? HookAction.Sleep : HookAction.Exec;
    }
    return action;
  }
}
