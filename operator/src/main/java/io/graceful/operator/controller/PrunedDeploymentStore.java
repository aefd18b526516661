package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.ArrayList;
import java.util.List;

/**
 * An informer store that keeps of each Deployment only what the operator reads (issue: heap at 10,000
 * Deployments): metadata with managedFields reduced to the grace period's owners, replicas, the regular containers' names and lifecycle (in order:
 * JSON Patch paths use their index), the grace period, and the rollout status. Images, env, volumes, probes and
 * resources are dropped. Labels and annotations stay whole: update filters compare them with fresh objects.
 *
 * <p>One store serves one informer; the glue uses it only when a controller has a single informer (all
 * namespaces, or one), because a store shared by several informers would be pruned of other namespaces' items
 * on a relist.
 */
public final class PrunedDeploymentStore extends BasicItemStore<Deployment> {
  public PrunedDeploymentStore() {
    super(Cache::metaNamespaceKeyFunc);
  }

  @Override
  public Deployment put(String key, Deployment deployment) {
    return super.put(key, prune(deployment));
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
   * The regular containers' names and lifecycle (in order: JSON Patch paths use their index) and the grace period;
   * null when the workload has no pod spec.
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
    return template;
  }
}
