package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.graceful.operator.core.Workload;
import io.graceful.operator.core.WorkloadKind;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * The workload controllers' caches, read by the policy status controller (never a second informer): the status
 * counts every governed kind.
 */
public final class WorkloadCaches {
  private final List<Entry<?>> entries = new CopyOnWriteArrayList<>();
  /** Kinds that cannot be governed now, and why (the Argo Rollouts CRD is not installed...), for the status. */
  private volatile java.util.function.Supplier<Map<WorkloadKind, String>> unavailable = Map::of;

  private record Entry<T extends HasMetadata>(WorkloadReconciler<T> reconciler, BooleanSupplier synced) {
    void collect(String namespace, RolloutBudget budget, List<Workload> out) {
      for (T r : NamespaceIndex.in(reconciler.cache(), namespace)) {
        Workload w = reconciler.kind().view().apply(r);
        budget.observe(r, w);
        out.add(w);
      }
    }

    java.util.Optional<HasMetadata> resource(io.graceful.operator.core.WorkloadRef ref) {
      if (reconciler.kind().kind() != ref.kind() || reconciler.cache() == null) {
        return java.util.Optional.empty();
      }
      return reconciler.cache().get(new io.javaoperatorsdk.operator.processing.event.ResourceID(ref.name(),
          ref.namespace())).map(r -> r);
    }

    java.util.Optional<Workload> get(io.graceful.operator.core.WorkloadRef ref) {
      if (reconciler.kind().kind() != ref.kind() || reconciler.cache() == null) {
        return java.util.Optional.empty();
      }
      return reconciler.cache().get(new io.javaoperatorsdk.operator.processing.event.ResourceID(ref.name(),
          ref.namespace())).map(reconciler.kind().view());
    }
  }

  /**
   * @param synced whether every informer of that controller is running and has listed its whole scope: a status
   *     computed from a partial cache would be wrong, and written
   */
  public <T extends HasMetadata> void add(WorkloadReconciler<T> reconciler, BooleanSupplier synced) {
    entries.add(new Entry<>(reconciler, synced));
  }

  /** A controller stopped (its kind's CRD was deleted): its cache is gone with it. */
  public void remove(WorkloadReconciler<?> reconciler) {
    entries.removeIf(e -> e.reconciler() == reconciler);
  }

  /** Where the status learns which listed kinds cannot be governed now. */
  public void unavailableFrom(java.util.function.Supplier<Map<WorkloadKind, String>> source) {
    this.unavailable = source;
  }

  /** Kind -> why it cannot be governed now (its CRD is missing, or the permission to watch it). */
  public Map<WorkloadKind, String> unavailable() {
    return unavailable.get();
  }

  /** Every cache exists and is synced. */
  public boolean synced() {
    return !entries.isEmpty() && entries.stream().allMatch(e -> e.reconciler().cache() != null
        && e.synced().getAsBoolean());
  }

  /** One cached workload, as the planner reads it (drain measurement attributes its pods' samples through it). */
  public java.util.Optional<Workload> get(io.graceful.operator.core.WorkloadRef ref) {
    for (Entry<?> e : entries) {
      java.util.Optional<Workload> found = e.get(ref);
      if (found.isPresent()) {
        return found;
      }
    }
    return java.util.Optional.empty();
  }

  /** One cached workload object (Events about it name it). */
  public java.util.Optional<HasMetadata> resource(io.graceful.operator.core.WorkloadRef ref) {
    for (Entry<?> e : entries) {
      java.util.Optional<HasMetadata> found = e.resource(ref);
      if (found.isPresent()) {
        return found;
      }
    }
    return java.util.Optional.empty();
  }

  /** The cached workloads of a namespace, every kind, as the planner reads them. */
  public List<Workload> in(String namespace, RolloutBudget budget) {
    List<Workload> out = new ArrayList<>();
    for (Entry<?> e : entries) {
      e.collect(namespace, budget, out);
    }
    return out;
  }
}
