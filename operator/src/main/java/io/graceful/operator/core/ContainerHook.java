package io.graceful.operator.core;

import io.fabric8.kubernetes.api.model.LifecycleHandler;

/**
 * The part of one regular container the operator may own: its preStop hook, and whether the container has a
 * {@code lifecycle} object at all (so that an undo can remove the object it created, and nothing else).
 *
 * @param index position in {@code spec.template.spec.containers}, used by JSON Patch paths
 * @param otherHandlers the lifecycle holds something besides preStop (postStart, stopSignal): never removed
 */
public record ContainerHook(int index, String name, LifecycleHandler preStop, boolean hasLifecycle,
    boolean otherHandlers) {

  public ContainerHook withPreStop(LifecycleHandler hook) {
    return new ContainerHook(index, name, hook, hasLifecycle || hook != null, otherHandlers);
  }

  /** Restores a recorded original: drops the lifecycle object when the operator created it for its hook alone. */
  public ContainerHook restored(LifecycleHandler original, boolean hadLifecycle) {
    boolean keepLifecycle = original != null || hadLifecycle || otherHandlers;
    return new ContainerHook(index, name, original, keepLifecycle, otherHandlers);
  }
}
