package io.graceful.operator.controller;

import io.graceful.operator.core.WorkloadKind;
import io.graceful.operator.core.WorkloadRef;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Routes "a rollout slot is free for you" to the controller of the waiting workload's kind: the budget is shared
 * by every kind, so a Deployment finishing its rollout may free the slot a StatefulSet waits for.
 */
public final class Wakeups {
  private final Map<WorkloadKind, Consumer<ResourceID>> byKind = new ConcurrentHashMap<>();

  void register(WorkloadKind kind, Consumer<ResourceID> wake) {
    byKind.put(kind, wake);
  }

  /** The kind's controller stopped (the Argo Rollouts CRD went away): nobody to wake. */
  public void unregister(WorkloadKind kind) {
    byKind.remove(kind);
  }

  void wake(WorkloadRef ref) {
    Consumer<ResourceID> wake = byKind.get(ref.kind());
    if (wake != null) {
      wake.accept(new ResourceID(ref.name(), ref.namespace()));
    }
  }
}
