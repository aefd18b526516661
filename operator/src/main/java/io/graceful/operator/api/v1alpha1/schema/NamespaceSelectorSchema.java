package io.graceful.operator.api.v1alpha1.schema;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Map;

/**
 * The CRD schema of a ClusterGracefulPolicy's {@code spec.namespaceSelector}: a metav1.LabelSelector over
 * Namespaces, documented for {@code kubectl explain} (the generated model class carries no descriptions). Used only
 * by the CRD generator, through a schema swap.
 */
public class NamespaceSelectorSchema {
  @JsonPropertyDescription("Labels a Namespace must all carry, each with exactly this value "
      + "(kubernetes.io/metadata.name: <namespace> names one namespace).")
  public Map<String, String> matchLabels;
  @JsonPropertyDescription("Requirements a Namespace's labels must all meet, in addition to matchLabels.")
  public List<SelectorSchema.SelectorRequirementSchema> matchExpressions;
}
