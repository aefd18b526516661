package io.graceful.operator.api.v1alpha1.schema;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.List;
import java.util.Map;

/**
 * The CRD schema of {@code spec.selector}: the same shape as the metav1.LabelSelector the code uses, with a
 * description on every field so that {@code kubectl explain gracefulpolicy.spec.selector} documents it (the
 * generated model class carries none). Used only by the CRD generator, through a schema swap.
 */
public class SelectorSchema {
  @JsonPropertyDescription("Labels a Deployment must all carry, each with exactly this value.")
  public Map<String, String> matchLabels;
  @JsonPropertyDescription("Requirements a Deployment's labels must all meet, in addition to matchLabels.")
  public List<SelectorRequirementSchema> matchExpressions;

  /** One entry of {@code matchExpressions}. */
  public static class SelectorRequirementSchema {
    @Required
    @JsonPropertyDescription("The label key the requirement applies to.")
    public String key;
    @Required
    @JsonPropertyDescription("How the label's value is compared with values.")
    public Operator operator;
    @JsonPropertyDescription("Values for In and NotIn (must not be empty); must be empty for Exists and "
        + "DoesNotExist.")
    public List<String> values;
  }

  /** The set operators of a label selector requirement. */
  public enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist
  }
}
