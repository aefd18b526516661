package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategy;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy;
import io.graceful.operator.api.argo.ArgoRollout;
import io.graceful.operator.api.argo.RolloutSpec;
import io.graceful.operator.api.argo.RolloutStatus;

/**
 * Pruning for StatefulSets and DaemonSets, as {@link PrunedDeploymentStore} does for Deployments: the metadata and
 * template parts are the same; of the spec only the replicas and the update strategy's type (OnDelete restarts
 * nothing), of the status what their rollout state is read from.
 */
final class PrunedWorkloads {
  private PrunedWorkloads() {
  }

  static StatefulSet prune(StatefulSet s) {
    StatefulSet out = new StatefulSet();
    out.setApiVersion(s.getApiVersion());
    out.setKind(s.getKind());
    out.setMetadata(PrunedDeploymentStore.meta(s.getMetadata()));
    if (s.getSpec() != null) {
      StatefulSetSpec spec = new StatefulSetSpec();
      spec.setReplicas(s.getSpec().getReplicas());
      if (s.getSpec().getUpdateStrategy() != null && s.getSpec().getUpdateStrategy().getType() != null) {
        StatefulSetUpdateStrategy strategy = new StatefulSetUpdateStrategy();
        strategy.setType(s.getSpec().getUpdateStrategy().getType());
        spec.setUpdateStrategy(strategy);
      }
      spec.setTemplate(PrunedDeploymentStore.template(s.getSpec().getTemplate()));
      out.setSpec(spec);
    }
    StatefulSetStatus st = s.getStatus();
    if (st != null) {
      StatefulSetStatus status = new StatefulSetStatus();
      status.setObservedGeneration(st.getObservedGeneration());
      status.setReplicas(st.getReplicas());
      status.setUpdatedReplicas(st.getUpdatedReplicas());
      status.setReadyReplicas(st.getReadyReplicas());
      status.setCurrentRevision(st.getCurrentRevision());
      status.setUpdateRevision(st.getUpdateRevision());
      out.setStatus(status);
    }
    return out;
  }

  static DaemonSet prune(DaemonSet d) {
    DaemonSet out = new DaemonSet();
    out.setApiVersion(d.getApiVersion());
    out.setKind(d.getKind());
    out.setMetadata(PrunedDeploymentStore.meta(d.getMetadata()));
    if (d.getSpec() != null) {
      DaemonSetSpec spec = new DaemonSetSpec();
      if (d.getSpec().getUpdateStrategy() != null && d.getSpec().getUpdateStrategy().getType() != null) {
        DaemonSetUpdateStrategy strategy = new DaemonSetUpdateStrategy();
        strategy.setType(d.getSpec().getUpdateStrategy().getType());
        spec.setUpdateStrategy(strategy);
      }
      spec.setTemplate(PrunedDeploymentStore.template(d.getSpec().getTemplate()));
      out.setSpec(spec);
    }
    DaemonSetStatus st = d.getStatus();
    if (st != null) {
      DaemonSetStatus status = new DaemonSetStatus();
      status.setObservedGeneration(st.getObservedGeneration());
      status.setDesiredNumberScheduled(st.getDesiredNumberScheduled());
      status.setCurrentNumberScheduled(st.getCurrentNumberScheduled());
      status.setUpdatedNumberScheduled(st.getUpdatedNumberScheduled());
      status.setNumberAvailable(st.getNumberAvailable());
      out.setStatus(status);
    }
    return out;
  }

  /**
   * An Argo Rollout: replicas, the template, whether it references another workload's template, and the status
   * its progress is read from (of the conditions only Progressing, which carries a failure).
   */
  static ArgoRollout prune(ArgoRollout r) {
    ArgoRollout out = new ArgoRollout();
    out.setApiVersion(r.getApiVersion());
    out.setKind(r.getKind());
    out.setMetadata(PrunedDeploymentStore.meta(r.getMetadata()));
    if (r.getSpec() != null) {
      RolloutSpec spec = new RolloutSpec();
      spec.setReplicas(r.getSpec().getReplicas());
      spec.setWorkloadRef(r.getSpec().getWorkloadRef());
      spec.setTemplate(PrunedDeploymentStore.template(r.getSpec().getTemplate()));
      out.setSpec(spec);
    }
    RolloutStatus st = r.getStatus();
    if (st != null) {
      RolloutStatus status = new RolloutStatus();
      status.setPhase(st.getPhase());
      status.setObservedGeneration(st.getObservedGeneration());
      status.setReplicas(st.getReplicas());
      status.setUpdatedReplicas(st.getUpdatedReplicas());
      status.setReadyReplicas(st.getReadyReplicas());
      status.setAvailableReplicas(st.getAvailableReplicas());
      if (st.getConditions() != null) {
        status.setConditions(st.getConditions().stream().filter(c -> "Progressing".equals(c.getType())).toList());
      }
      out.setStatus(status);
    }
    return out;
  }
}
