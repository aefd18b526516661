package io.graceful.operator.it;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
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

  public static StatefulSet statefulSet(String ns, String name, Map<String, String> labels, String updateStrategy,
      Container... containers) {
    return new StatefulSetBuilder()
        .withNewMetadata().withNamespace(ns).withName(name).withLabels(labels).endMetadata()
        .withNewSpec()
          .withReplicas(2)
          .withServiceName(name)
          .withNewUpdateStrategy().withType(updateStrategy).endUpdateStrategy()
          .withNewSelector().addToMatchLabels("app", name).endSelector()
          .withNewTemplate()
            .withNewMetadata().addToLabels("app", name).endMetadata()
            .withNewSpec().withContainers(List.of(containers)).endSpec()
          .endTemplate()
        .endSpec()
        .build();
  }

  public static DaemonSet daemonSet(String ns, String name, Map<String, String> labels, String updateStrategy,
      Container... containers) {
    return new DaemonSetBuilder()
        .withNewMetadata().withNamespace(ns).withName(name).withLabels(labels).endMetadata()
        .withNewSpec()
          .withNewUpdateStrategy().withType(updateStrategy).endUpdateStrategy()
          .withNewSelector().addToMatchLabels("app", name).endSelector()
          .withNewTemplate()
            .withNewMetadata().addToLabels("app", name).endMetadata()
            .withNewSpec().withContainers(List.of(containers)).endSpec()
          .endTemplate()
        .endSpec()
        .build();
  }

  /** A policy over the given kinds ({@code spec.workloads}). */
  public static GracefulPolicy policy(String ns, String name, Map<String, String> matchLabels, long sleep,
      Long shutdown, String... kinds) {
    GracefulPolicy p = policy(ns, name, matchLabels, sleep, shutdown);
    p.getSpec().setWorkloads(List.of(kinds));
    return p;
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

  /**
   * A ClusterGracefulPolicy selecting workloads labelled {@code matchLabels} (null: none by labels) in the namespaces
   * labelled {@code namespaceLabels} (null: no namespaceSelector, which selects none).
   */
  public static io.graceful.operator.api.v1alpha1.ClusterGracefulPolicy clusterPolicy(String name,
      Map<String, String> namespaceLabels, Map<String, String> matchLabels, long sleep, Long shutdown) {
    io.graceful.operator.api.v1alpha1.ClusterGracefulPolicySpec spec =
        new io.graceful.operator.api.v1alpha1.ClusterGracefulPolicySpec();
    if (namespaceLabels != null) {
      spec.setNamespaceSelector(new LabelSelectorBuilder().withMatchLabels(namespaceLabels).build());
    }
    if (matchLabels != null) {
      spec.setSelector(new LabelSelectorBuilder().withMatchLabels(matchLabels).build());
    }
    spec.setPreStop(new PreStopSpec(sleep, null));
    spec.setShutdownSeconds(shutdown);
    io.graceful.operator.api.v1alpha1.ClusterGracefulPolicy p = new io.graceful.operator.api.v1alpha1.ClusterGracefulPolicy();
    p.setMetadata(new ObjectMetaBuilder().withName(name).build());
    p.setSpec(spec);
    return p;
  }
}
