package io.graceful.operator.it;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import io.graceful.operator.api.v1alpha1.PreStopSpec;
import java.util.List;
import java.util.Map;

/** Builders for the objects integration tests create, shaped as a user would write them. */
public final class Fixtures {
  private Fixtures() {
  }

  public static Container container(String name) {
    return new ContainerBuilder().withName(name).withImage("registry.k8s.io/pause:3.10").build();
  }

  public static Container container(String name, LifecycleHandler preStop) {
    return new ContainerBuilder(container(name)).withNewLifecycle().withPreStop(preStop).endLifecycle().build();
  }

  public static Deployment deployment(String ns, String name, Map<String, String> labels, Container... containers) {
    return new DeploymentBuilder()
        .withNewMetadata().withNamespace(ns).withName(name).withLabels(labels).endMetadata()
        .withNewSpec()
          .withReplicas(2)
          .withNewSelector().addToMatchLabels("app", name).endSelector()
          .withNewTemplate()
            .withNewMetadata().addToLabels("app", name).endMetadata()
            .withNewSpec().withContainers(List.of(containers)).endSpec()
          .endTemplate()
        .endSpec()
        .build();
  }

  public static GracefulPolicy policy(String ns, String name, Map<String, String> matchLabels, long sleep,
      Long shutdown) {
    GracefulPolicySpec spec = new GracefulPolicySpec();
    if (matchLabels != null) {
      spec.setSelector(new LabelSelectorBuilder().withMatchLabels(matchLabels).build());
    }
    spec.setPreStop(new PreStopSpec(sleep, null));
    spec.setShutdownSeconds(shutdown);
    GracefulPolicy p = new GracefulPolicy();
    p.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
    p.setSpec(spec);
    return p;
  }
}
