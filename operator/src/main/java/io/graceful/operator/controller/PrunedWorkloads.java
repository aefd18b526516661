package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategy;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy;
import io.graceful.operator.api.argo.ArgoRollout;
import io.graceful.operator.api.argo.RolloutSpec;
import io.graceful.operator.api.argo.RolloutStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * What the informer stores ({@link PrunedStore}) keep of each workload: only what the operator reads (heap at
 * 10,000 workloads). Metadata with managedFields reduced to the grace period's owners, the regular containers'
 * names and lifecycle (in order: JSON Patch paths use their index), the grace period; of the spec the replicas and
 * the strategy's type, of the status what the rollout state is read from. Images, env, volumes, probes and resources
 * are dropped. Labels and annotations stay whole: update filters compare them with fresh objects.
 */
final class PrunedWorkloads {
  private PrunedWorkloads() {
  }

  /**
   * Plain setters sharing the kept values with the decoded object (builders would deep-copy them): this runs for
   * every watch event.
   */
  static Deployment prune(Deployment d) {
    ObjectMeta meta = meta(d.getMetadata());
    Deployment out = new Deployment();
    out.setApiVersion(d.getApiVersion());
    out.setKind(d.getKind());
    out.setMetadata(meta);
    if (d.getSpec() != null) {
      DeploymentSpec spec = new DeploymentSpec();
      spec.setReplicas(d.getSpec().getReplicas());
      // only the strategy's type: Recreate changes what a template write costs (R15)
      if (d.getSpec().getStrategy() != null && d.getSpec().getStrategy().getType() != null) {
        DeploymentStrategy strategy = new DeploymentStrategy();
        strategy.setType(d.getSpec().getStrategy().getType());
        spec.setStrategy(strategy);
      }
      spec.setTemplate(template(d.getSpec().getTemplate()));
      out.setSpec(spec);
    }
    DeploymentStatus s = d.getStatus();
    if (s != null) {
      DeploymentStatus status = new DeploymentStatus();
      status.setObservedGeneration(s.getObservedGeneration());
      status.setReplicas(s.getReplicas());
      status.setUpdatedReplicas(s.getUpdatedReplicas());
      status.setReadyReplicas(s.getReadyReplicas());
      status.setAvailableReplicas(s.getAvailableReplicas());
      List<DeploymentCondition> progressing = new ArrayList<>(1);
      if (s.getConditions() != null) {
        for (DeploymentCondition c : s.getConditions()) {
          if ("Progressing".equals(c.getType())) {
            progressing.add(c);
          }
        }
      }
      status.setConditions(progressing);
      out.setStatus(status);
    }
    return out;
  }

  /**
   * The metadata the operator reads: identity, labels and annotations whole (update filters compare them with
   * fresh objects), a controlling owner only (R14), managedFields reduced to the grace period's owners.
   */
  static ObjectMeta meta(ObjectMeta m) {
    ObjectMeta meta = new ObjectMeta();
    meta.setName(m.getName());
    meta.setNamespace(m.getNamespace());
    meta.setUid(m.getUid());
    meta.setResourceVersion(m.getResourceVersion());
    meta.setGeneration(m.getGeneration());
    meta.setCreationTimestamp(m.getCreationTimestamp());
    meta.setDeletionTimestamp(m.getDeletionTimestamp());
    meta.setLabels(m.getLabels());
    meta.setAnnotations(m.getAnnotations());
    // a controlling owner makes the workload another controller's (R14); other owner references do not matter
    if (m.getOwnerReferences() != null && !m.getOwnerReferences().isEmpty()) {
      List<OwnerReference> controllers = m.getOwnerReferences().stream()
          .filter(r -> r != null && Boolean.TRUE.equals(r.getController())).toList();
      meta.setOwnerReferences(controllers.isEmpty() ? null : controllers);
    }
    // who sets the grace period from a manifest (GitOps), reduced to that one path
    meta.setManagedFields(io.graceful.operator.core.DeclaredFields.relevant(m.getManagedFields()));
    return meta;
  }

  /**
   * The regular containers' names and lifecycle (in order: JSON Patch paths use their index), the grace period and
   * the pods' labels; null when the workload has no pod spec.
   */
  static PodTemplateSpec template(PodTemplateSpec full) {
    PodSpec pod = full == null ? null : full.getSpec();
    if (pod == null) {
      return null;
    }
    PodSpec keptPod = new PodSpec();
    if (pod.getContainers() != null) {
      List<Container> containers = new ArrayList<>(pod.getContainers().size());
      for (Container c : pod.getContainers()) {
        Container kept = null;
        if (c != null) {
          kept = new Container();
          kept.setName(c.getName());
          kept.setLifecycle(c.getLifecycle());
        }
        containers.add(kept);
      }
      keptPod.setContainers(containers);
    }
    keptPod.setTerminationGracePeriodSeconds(pod.getTerminationGracePeriodSeconds());
    PodTemplateSpec template = new PodTemplateSpec();
    template.setSpec(keptPod);
    if (full.getMetadata() != null && full.getMetadata().getLabels() != null) {
      // the pods' labels: which Services select them (load-balancer floors of drain measurement)
      io.fabric8.kubernetes.api.model.ObjectMeta meta = new io.fabric8.kubernetes.api.model.ObjectMeta();
      meta.setLabels(full.getMetadata().getLabels());
      template.setMetadata(meta);
    }
    return template;
  }

  static StatefulSet prune(StatefulSet s) {
    StatefulSet out = new StatefulSet();
    out.setApiVersion(s.getApiVersion());
    out.setKind(s.getKind());
    out.setMetadata(PrunedWorkloads.meta(s.getMetadata()));
    if (s.getSpec() != null) {
      StatefulSetSpec spec = new StatefulSetSpec();
      spec.setReplicas(s.getSpec().getReplicas());
      if (s.getSpec().getUpdateStrategy() != null && s.getSpec().getUpdateStrategy().getType() != null) {
        StatefulSetUpdateStrategy strategy = new StatefulSetUpdateStrategy();
        strategy.setType(s.getSpec().getUpdateStrategy().getType());
        spec.setUpdateStrategy(strategy);
      }
      spec.setTemplate(PrunedWorkloads.template(s.getSpec().getTemplate()));
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
    out.setMetadata(PrunedWorkloads.meta(d.getMetadata()));
    if (d.getSpec() != null) {
      DaemonSetSpec spec = new DaemonSetSpec();
      if (d.getSpec().getUpdateStrategy() != null && d.getSpec().getUpdateStrategy().getType() != null) {
        DaemonSetUpdateStrategy strategy = new DaemonSetUpdateStrategy();
        strategy.setType(d.getSpec().getUpdateStrategy().getType());
        spec.setUpdateStrategy(strategy);
      }
      spec.setTemplate(PrunedWorkloads.template(d.getSpec().getTemplate()));
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
    out.setMetadata(PrunedWorkloads.meta(r.getMetadata()));
    if (r.getSpec() != null) {
      RolloutSpec spec = new RolloutSpec();
      spec.setReplicas(r.getSpec().getReplicas());
      spec.setWorkloadRef(r.getSpec().getWorkloadRef());
      spec.setTemplate(PrunedWorkloads.template(r.getSpec().getTemplate()));
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
