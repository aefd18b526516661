package io.graceful.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.Objects;

/**
 * The spec of a ClusterGracefulPolicy: every field of a GracefulPolicy's spec, plus the namespaces whose workloads
 * it may govern ({@code io.graceful.operator.core.NamespaceSelection} decides, docs/rules.md R12).
 */
public class ClusterGracefulPolicySpec extends GracefulPolicySpec {
  @JsonPropertyDescription("Label selector over Namespaces: the policy governs workloads (selected by selector or "
      + "by the annotation graceful.io/policy: cluster/<name>) of the namespaces it selects. Omitted selects no "
      + "namespace; {} selects every namespace. kube-system, kube-public, kube-node-lease and the operator's own "
      + "namespace are selected only when the selector names them with the label kubernetes.io/metadata.name "
      + "(matchLabels, or an In expression). A namespaced GracefulPolicy always overrides a cluster policy for the "
      + "workloads it matches.")
  private LabelSelector namespaceSelector;

  public LabelSelector getNamespaceSelector() {
    return namespaceSelector;
  }

  public void setNamespaceSelector(LabelSelector namespaceSelector) {
    this.namespaceSelector = namespaceSelector;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClusterGracefulPolicySpec other && super.equals(o)
        && Objects.equals(namespaceSelector, other.namespaceSelector);
  }

  @Override
  public int hashCode() {
    return Objects.hash(super.hashCode(), namespaceSelector);
  }
}
