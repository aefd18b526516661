package io.graceful.operator.core;

import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.graceful.operator.api.v1alpha1.HookAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The operator's own hooks cut to fit the grace period a Deployment has now, for when the operator no longer sets
 * that grace period (it stopped re-applying after a fight, or its policy became invalid). R1 (docs/rules.md) is absolute,
 * so a hook the operator wrote is shortened to {@code grace - shutdown} (and below the grace period), or restored
 * to what was there before when no sleep fits. Hooks a person changed since are not the operator's and are left.
 *
 * @param record the undo record for the result: the shortened hooks as applied, restored ones forgotten, the rest
 *     (grace period claim, re-apply count) unchanged so that the Deployment stays in the same conflict state
 */
record HookFit(PodTemplateHooks hooks, ManagedRecord record, List<String> changes) {

  static HookFit within(PodTemplateHooks current, ManagedRecord record, long shutdown) {
    long grace = current.effectiveGracePeriod();
    long allowed = Math.min(grace - shutdown, grace - 1);
    PodTemplateHooks out = current;
    Map<String, ManagedRecord.Original> originals = new TreeMap<>(record.originalHooks());
    Map<String, LifecycleHandler> applied = new TreeMap<>(record.appliedHooks());
    List<String> changes = new ArrayList<>();
    for (ContainerHook c : current.containers()) {
      LifecycleHandler ours = record.appliedHooks().get(c.name());
      if (ours == null || !Objects.equals(ours, c.preStop())) {
        continue;
      }
      OptionalLong sleep = SleepHooks.recognisedSleep(ours);
      if (sleep.isEmpty() || sleep.getAsLong() <= allowed) {
        continue;
      }
      if (allowed >= 1) {
        LifecycleHandler shorter = SleepHooks.of(ours.getSleep() != null ? HookAction.Sleep : HookAction.Exec, allowed);
        out = out.with(c.withPreStop(shorter));
        applied.put(c.name(), shorter);
        changes.add("shortened the preStop sleep of " + c.name() + " " + sleep.getAsLong() + "s -> " + allowed
            + "s to fit terminationGracePeriodSeconds " + grace + " (shutdown " + shutdown + "s)");
      } else {
        ManagedRecord.Original original = record.originalHooks().get(c.name());
        out = out.with(c.restored(original.preStop(), original.hadLifecycle()));
        originals.remove(c.name());
        applied.remove(c.name());
        changes.add("removed its preStop sleep of " + c.name() + " (terminationGracePeriodSeconds " + grace
            + " leaves no room for it with shutdown " + shutdown + "s)");
      }
    }
    return new HookFit(out, new ManagedRecord(record.policy(), originals, applied, record.gracePeriodChanged(),
        record.originalGracePeriod(), record.appliedGracePeriod(), record.reapplied(), record.reappliedAt()), changes);
  }

  boolean changed() {
    return !changes.isEmpty();
  }

  String summary() {
    return String.join("; ", changes);
  }
}
