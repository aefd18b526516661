package io.graceful.operator.core;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a LabelSelector the way Kubernetes does (matchLabels AND every matchExpression), except that an
 * empty or missing selector matches nothing (README: a policy without a selector only takes annotated opt-ins).
 * Matching happens here rather than in the LIST query because not every server parses set-based selectors.
 */
public final class LabelSelectorMatcher {
  private LabelSelectorMatcher() {
  }

  public static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (isEmpty(selector)) {
      return false;
    }
    Map<String, String> actual = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(actual.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement req : selector.getMatchExpressions()) {
        if (!matches(req, actual)) {
          return false;
        }
      }
    }
    return true;
  }

  public static boolean isEmpty(LabelSelector selector) {
    return selector == null
        || (selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
        && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty());
  }

  private static boolean matches(LabelSelectorRequirement req, Map<String, String> labels) {
    String value = labels.get(req.getKey());
    List<String> values = req.getValues() == null ? List.of() : req.getValues();
    return switch (req.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> labels.containsKey(req.getKey());
      case "DoesNotExist" -> !labels.containsKey(req.getKey());
      // validation rejects other operators; a selector that cannot be evaluated selects nothing
      default -> false;
    };
  }
}
