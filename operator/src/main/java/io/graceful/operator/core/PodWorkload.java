package io.graceful.operator.core;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;
import java.util.Optional;

/**
 * What drain measurement needs to know about a pod: the workload it belongs to and the preStop sleep it runs.
 *
 * <p>The workload comes from the controlling ownerReference. A StatefulSet or DaemonSet owns its pods directly. A
 * Deployment's pods are owned by a ReplicaSet named {@code <deployment>-<pod-template-hash>}, and the pod carries that
 * hash as a label: the Deployment name is the ReplicaSet name without the suffix (the Deployment controller builds it
 * that way), so no ReplicaSet informer is needed. An Argo Rollout names its ReplicaSets the same way with the label
 * {@code rollouts-pod-template-hash}; the ReplicaSet's own owner would tell the two apart, so a ReplicaSet pod is
 * attributed to a Deployment or a Rollout by which of the two labels it carries.
 */
public final class PodWorkload {
  static final String DEPLOYMENT_HASH = "pod-template-hash";
  static final String ROLLOUT_HASH = "rollouts-pod-template-hash";

  private PodWorkload() {
  }

  public static Optional<WorkloadRef> of(Pod pod) {
    if (pod.getMetadata() == null || pod.getMetadata().getOwnerReferences() == null) {
      return Optional.empty();
    }
    String namespace = pod.getMetadata().getNamespace();
    Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    for (OwnerReference owner : pod.getMetadata().getOwnerReferences()) {
      if (!Boolean.TRUE.equals(owner.getController()) || owner.getApiVersion() == null
          || !owner.getApiVersion().startsWith("apps/")) {
        continue;
      }
      switch (owner.getKind()) {
        case "StatefulSet":
          return Optional.of(new WorkloadRef(WorkloadKind.StatefulSet, namespace, owner.getName()));
        case "DaemonSet":
          return Optional.of(new WorkloadRef(WorkloadKind.DaemonSet, namespace, owner.getName()));
        case "ReplicaSet":
          return replicaSetOwner(namespace, owner.getName(), labels);
        default:
          return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static Optional<WorkloadRef> replicaSetOwner(String namespace, String replicaSet,
      Map<String, String> labels) {
    String rolloutHash = labels.get(ROLLOUT_HASH);
    if (rolloutHash != null && replicaSet.endsWith("-" + rolloutHash)) {
      return Optional.of(new WorkloadRef(WorkloadKind.Rollout, namespace,
          replicaSet.substring(0, replicaSet.length() - rolloutHash.length() - 1)));
    }
    String hash = labels.get(DEPLOYMENT_HASH);
    if (hash != null && replicaSet.endsWith("-" + hash)) {
      return Optional.of(WorkloadRef.deployment(namespace,
          replicaSet.substring(0, replicaSet.length() - hash.length() - 1)));
    }
    return Optional.empty(); // a bare ReplicaSet: no workload the operator governs
  }

  /**
   * The longest recognisable preStop sleep of the pod's regular containers, 0 without one: the time before the
   * first SIGTERM, which routing must beat.
   */
  public static long hookSeconds(Pod pod) {
    if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
      return 0;
    }
    long longest = 0;
    for (Container c : pod.getSpec().getContainers()) {
      if (c.getLifecycle() != null) {
        longest = Math.max(longest, SleepHooks.recognisedSleep(c.getLifecycle().getPreStop()).orElse(0));
      }
    }
    return longest;
  }
}
