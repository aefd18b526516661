package io.graceful.operator.core;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The fields of a workload's pod template that the operator owns: the regular containers' preStop hooks and
 * the grace period. Init containers (and so native sidecars) are never part of it (R3).
 */
public record PodTemplateHooks(Long terminationGracePeriodSeconds, List<ContainerHook> containers) {

  /** Kubernetes' default when a template omits terminationGracePeriodSeconds. */
  public static final long DEFAULT_GRACE_PERIOD = 30;

  public PodTemplateHooks {
    containers = List.copyOf(containers);
  }

  /** Empty when the workload has no pod template spec (input the API server would reject). */
  public static Optional<PodTemplateHooks> of(Workload workload) {
    if (workload.template() == null || workload.template().getSpec() == null
        || workload.template().getSpec().getContainers() == null) {
      return Optional.empty();
    }
    PodSpec pod = workload.template().getSpec();
    List<ContainerHook> hooks = new ArrayList<>();
    for (int i = 0; i < pod.getContainers().size(); i++) {
      Container c = pod.getContainers().get(i);
      if (c == null || c.getName() == null) {
        return Optional.empty();
      }
      Lifecycle l = c.getLifecycle();
      boolean others = l != null && (l.getPostStart() != null || l.getStopSignal() != null
          || l.getAdditionalProperties() != null && !l.getAdditionalProperties().isEmpty());
      hooks.add(new ContainerHook(i, c.getName(), l == null ? null : l.getPreStop(), l != null, others));
    }
    return Optional.of(new PodTemplateHooks(pod.getTerminationGracePeriodSeconds(), hooks));
  }

  public long effectiveGracePeriod() {
    return terminationGracePeriodSeconds == null ? DEFAULT_GRACE_PERIOD : terminationGracePeriodSeconds;
  }

  public Optional<ContainerHook> container(String name) {
    return containers.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  public PodTemplateHooks with(ContainerHook changed) {
    List<ContainerHook> out = new ArrayList<>(containers);
    out.set(changed.index(), changed);
    return new PodTemplateHooks(terminationGracePeriodSeconds, out);
  }

  public PodTemplateHooks withGracePeriod(Long seconds) {
    return new PodTemplateHooks(seconds, containers);
  }
}
