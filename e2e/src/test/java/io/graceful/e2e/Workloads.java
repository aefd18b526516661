package io.graceful.e2e;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Objects;

/** What a user reads off a Deployment with kubectl: a container's preStop hook, the grace period, ReplicaSets. */
final class Workloads {
  private Workloads() {
  }

  static Deployment deployment(KubernetesClient c, String ns, String name) {
    return c.apps().deployments().inNamespace(ns).withName(name).get();
  }

  static Container container(Deployment d, String name) {
    return container(d.getSpec().getTemplate(), name);
  }

  static Container container(PodTemplateSpec template, String name) {
    return template.getSpec().getContainers().stream().filter(c -> c.getName().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no container " + name));
  }

  static LifecycleHandler preStop(Deployment d, String container) {
    return preStop(d.getSpec().getTemplate(), container);
  }

  static LifecycleHandler preStop(PodTemplateSpec template, String container) {
    Container c = container(template, container);
    return c.getLifecycle() == null ? null : c.getLifecycle().getPreStop();
  }

  /** "sleep 10" for the native action, "exec sleep 10" for an exec hook, "none", or "other". */
  static String hook(Deployment d, String container) {
    return hook(d.getSpec().getTemplate(), container);
  }

  /** The same for any workload's pod template (StatefulSet, DaemonSet). */
  static String hook(PodTemplateSpec template, String container) {
    LifecycleHandler h = preStop(template, container);
    if (h == null) {
      return "none";
    }
    if (h.getSleep() != null) {
      return "sleep " + h.getSleep().getSeconds();
    }
    if (h.getExec() != null) {
      return "exec " + String.join(" ", h.getExec().getCommand());
    }
    return "other";
  }

  static Long grace(Deployment d) {
    return grace(d.getSpec().getTemplate());
  }

  static Long grace(PodTemplateSpec template) {
    return template.getSpec().getTerminationGracePeriodSeconds();
  }

  static List<ReplicaSet> replicaSets(KubernetesClient c, Deployment d) {
    return c.apps().replicaSets().inNamespace(d.getMetadata().getNamespace()).list().getItems().stream()
        .filter(rs -> rs.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> Objects.equals(o.getUid(), d.getMetadata().getUid())))
        .toList();
  }

  /** The rollout is finished: the controller saw the latest generation and every replica is updated and available. */
  static boolean rolledOut(Deployment d) {
    var s = d.getStatus();
    int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    return s != null && Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())
        && Objects.equals(s.getUpdatedReplicas() == null ? 0 : s.getUpdatedReplicas(), want)
        && Objects.equals(s.getAvailableReplicas() == null ? 0 : s.getAvailableReplicas(), want)
        && Objects.equals(s.getReplicas() == null ? 0 : s.getReplicas(), want);
  }
}
