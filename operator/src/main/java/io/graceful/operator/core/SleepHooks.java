package io.graceful.operator.core;

import io.fabric8.kubernetes.api.model.ExecAction;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.graceful.operator.api.v1alpha1.HookAction;
import java.math.BigDecimal;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds the operator's sleep hook, and recognises hooks that are sleeps whoever wrote them (R4). */
public final class SleepHooks {
  private static final Set<String> SLEEP_BINARIES = Set.of("sleep", "/bin/sleep", "/usr/bin/sleep");
  private static final Set<String> SHELLS = Set.of("sh", "/bin/sh", "bash", "/bin/bash", "/usr/bin/sh",
      "/usr/bin/bash", "ash", "/bin/ash");
  private static final Pattern SHELL_SLEEP = Pattern.compile("\\s*(?:exec\\s+)?(?:/usr)?(?:/bin/)?sleep\\s+"
      + "([0-9]+(?:\\.[0-9]+)?)s?\\s*;?\\s*");
  private static final Pattern SECONDS = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)s?");

  private SleepHooks() {
  }

  /** The hook the operator writes: the native sleep action, or {@code exec: [sleep, N]}. */
  public static LifecycleHandler of(HookAction action, long seconds) {
    if (action == HookAction.Sleep) {
      return new LifecycleHandlerBuilder().withNewSleep().withSeconds(seconds).endSleep().build();
    }
    return new LifecycleHandlerBuilder().withNewExec().withCommand("sleep", Long.toString(seconds)).endExec()
        .build();
  }

  /** The sleep length of a hook that is recognisably a sleep, rounded up to whole seconds. */
  public static OptionalLong recognisedSleep(LifecycleHandler hook) {
    if (hook == null) {
      return OptionalLong.empty();
    }
    if (hook.getSleep() != null && hook.getSleep().getSeconds() != null) {
      return OptionalLong.of(hook.getSleep().getSeconds());
    }
    ExecAction exec = hook.getExec();
    if (exec == null || exec.getCommand() == null) {
      return OptionalLong.empty();
    }
    List<String> cmd = exec.getCommand();
    if (cmd.size() == 2 && SLEEP_BINARIES.contains(cmd.get(0))) {
      return seconds(SECONDS.matcher(cmd.get(1).trim()));
    }
    if (cmd.size() == 3 && SHELLS.contains(cmd.get(0)) && cmd.get(1).equals("-c")) {
      return scriptSleep(cmd.get(2));
    }
    return OptionalLong.empty();
  }

  /**
   * The time a shell script surely sleeps: the sum of the {@code sleep N} commands it runs unconditionally (a
   * statement of its own, or the first command of an {@code &&}/{@code ||} chain), so that a hook that drains and
   * then sleeps ({@code curl .../drain; sleep 15}) counts as at least 15 s for the grace period (R4). Empty when
   * the script has no such sleep.
   */
  private static OptionalLong scriptSleep(String script) {
    long total = 0;
    boolean found = false;
    for (String statement : script.split("[;\\n]")) {
      String s = statement.strip();
      if (s.endsWith("&") && !s.endsWith("&&")) {
        continue; // in the background: does not delay
      }
      String first = s.split("&&|\\|\\||\\|", 2)[0];
      OptionalLong n = seconds(SHELL_SLEEP.matcher(first));
      if (n.isPresent()) {
        total += n.getAsLong();
        found = true;
      }
    }
    return found && total <= 86_400 ? OptionalLong.of(total) : OptionalLong.empty();
  }

  private static OptionalLong seconds(Matcher m) {
    if (!m.matches()) {
      return OptionalLong.empty();
    }
    try {
      BigDecimal value = new BigDecimal(m.group(1));
      if (value.compareTo(BigDecimal.valueOf(86_400)) > 0) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(value.setScale(0, java.math.RoundingMode.CEILING).longValueExact());
    } catch (ArithmeticException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** Short human description for tables, status and Events. */
  public static String describe(LifecycleHandler hook) {
    if (hook == null) {
      return "none";
    }
    if (hook.getSleep() != null) {
      return "sleep " + hook.getSleep().getSeconds() + "s";
    }
    if (hook.getExec() != null && hook.getExec().getCommand() != null) {
      return "exec " + String.join(" ", hook.getExec().getCommand());
    }
    if (hook.getHttpGet() != null) {
      return "httpGet " + hook.getHttpGet().getPath();
    }
    if (hook.getTcpSocket() != null) {
      return "tcpSocket";
    }
    return "custom hook";
  }
}
