package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.graceful.operator.api.argo.ArgoRollout;
import io.graceful.operator.core.Workload;
import io.graceful.operator.core.WorkloadKind;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * What the glue needs to know of one served workload kind: its client class, the kind-neutral view the planner
 * reads, the informer-store pruning, and its spec (compared when a server leaves generation unset). Everything
 * else (the write, Events, the budget) is the same for every kind, because every kind keeps its pod template at
 * {@code spec.template}.
 */
public record KindSupport<T extends HasMetadata>(WorkloadKind kind, Class<T> type, Function<T, Workload> view,
    UnaryOperator<T> prune, Function<T, Object> spec) {

  public static final KindSupport<Deployment> DEPLOYMENTS = new KindSupport<>(WorkloadKind.Deployment,
      Deployment.class, Workload::of, PrunedWorkloads::prune, Deployment::getSpec);
  public static final KindSupport<StatefulSet> STATEFUL_SETS = new KindSupport<>(WorkloadKind.StatefulSet,
      StatefulSet.class, Workload::of, PrunedWorkloads::prune, StatefulSet::getSpec);
  public static final KindSupport<DaemonSet> DAEMON_SETS = new KindSupport<>(WorkloadKind.DaemonSet,
      DaemonSet.class, Workload::of, PrunedWorkloads::prune, DaemonSet::getSpec);

  /** Argo Rollouts: served only while their CRD is installed ({@code OptionalRollouts}). */
  public static final KindSupport<ArgoRollout> ROLLOUTS = new KindSupport<>(WorkloadKind.Rollout,
      ArgoRollout.class, Workload::of, PrunedWorkloads::prune, ArgoRollout::getSpec);

  /** Every kind the operator serves from start-up, in the order they are registered. */
  public static final List<KindSupport<?>> SERVED = List.of(DEPLOYMENTS, STATEFUL_SETS, DAEMON_SETS);

  /** The view of an object known to be of this kind. */
  @SuppressWarnings("unchecked")
  public Workload viewOf(HasMetadata resource) {
    return view.apply((T) resource);
  }
}
