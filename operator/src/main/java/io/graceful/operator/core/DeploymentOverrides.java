package io.graceful.operator.core;

import io.graceful.operator.api.v1alpha1.HookAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Per-Deployment overrides of a policy's values (README "Deployment annotations"). An invalid value is reported and the policy's value is
 * used instead, so a typo in one annotation never stops the Deployment from being protected.
 */
public record DeploymentOverrides(long sleepSeconds, long shutdownSeconds, HookAction action, List<String> problems) {

  public static DeploymentOverrides resolve(Map<String, String> annotations, PolicySettings policy) {
    List<String> problems = new ArrayList<>();
    long sleep = seconds(annotations, GracefulAnnotations.SLEEP_SECONDS, 1, PolicySettings.MAX_SLEEP,
        policy.sleepSeconds(), problems);
    long shutdown = seconds(annotations, GracefulAnnotations.SHUTDOWN_SECONDS, 0, PolicySettings.MAX_SHUTDOWN,
        policy.shutdownSeconds(), problems);
    HookAction action = policy.action();
    String raw = annotations.get(GracefulAnnotations.ACTION);
    if (raw != null) {
      String value = raw.trim();
      HookAction parsed = null;
      for (HookAction a : HookAction.values()) {
        if (a.name().equalsIgnoreCase(value)) {
          parsed = a;
        }
      }
      if (parsed == null) {
        problems.add(GracefulAnnotations.ACTION + "='" + raw + "' is not Sleep, Exec or Auto; using the policy's "
            + policy.action());
      } else {
        action = parsed;
      }
    }
    return new DeploymentOverrides(sleep, shutdown, action, List.copyOf(problems));
  }

  private static long seconds(Map<String, String> annotations, String key, long min, long max, long fallback,
      List<String> problems) {
    String raw = annotations.get(key);
    if (raw == null) {
      return fallback;
    }
    try {
      long value = Long.parseLong(raw.trim());
      if (value >= min && value <= max) {
        return value;
      }
      problems.add(key + "='" + raw + "' is outside " + min + ".." + max + "; using the policy's " + fallback);
    } catch (NumberFormatException e) {
      problems.add(key + "='" + raw + "' is not a whole number of seconds; using the policy's " + fallback);
    }
    return fallback;
  }
}
