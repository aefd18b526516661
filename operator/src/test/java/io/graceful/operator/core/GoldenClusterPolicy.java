package io.graceful.operator.core;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Version;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;

/**
 * A ClusterGracefulPolicy as the golden planning cases write it (the spec of a GracefulPolicy plus
 * {@code namespaceSelector}). Test-only: the planning core handles cluster policies, the kind is not served yet;
 * this class goes once the API model has it (docs/design.md).
 */
@Group("graceful.io")
@Version("v1alpha1")
@Kind("ClusterGracefulPolicy")
public class GoldenClusterPolicy extends CustomResource<GoldenClusterPolicy.Spec, Void> {

  /** GracefulPolicy's spec plus the namespaces the cluster policy governs. */
  public static class Spec extends GracefulPolicySpec {
    private LabelSelector namespaceSelector;

    public LabelSelector getNamespaceSelector() {
      return namespaceSelector;
    }

    public void setNamespaceSelector(LabelSelector namespaceSelector) {
      this.namespaceSelector = namespaceSelector;
    }
  }
}
