package io.graceful.operator.core;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which namespaces a cluster policy's {@code namespaceSelector} selects (docs/rules.md R12). The choices, and why:
 * <ul>
 *   <li>An omitted selector selects no namespace: a platform-wide default must be asked for, never an accident of
 *       a missing field.</li>
 *   <li>An empty selector ({@code {}}, or {@code matchLabels: {}} with no expressions) selects every namespace,
 *       as an empty LabelSelector does everywhere else in Kubernetes: writing it is the explicit ask.</li>
 *   <li>The system namespaces ({@link #SYSTEM}) and the operator's own namespace are never selected by labels alone,
 *       not even by {@code {}}: only a selector that names the namespace explicitly selects them, that is
 *       {@code matchLabels} with {@code kubernetes.io/metadata.name: <namespace>}, or a {@code matchExpressions}
 *       entry {@code kubernetes.io/metadata.name In [..., <namespace>, ...]} (and the rest of the selector must
 *       match too). A hook on kube-system's DNS or on the operator itself is not a default anybody wants.</li>
 * </ul>
 * Namespaces carry the label {@code kubernetes.io/metadata.name} (set by the API server since 1.21); it is added
 * here when missing, so the two ways of naming a namespace never disagree.
 */
public final class NamespaceSelection {
  /** The label the API server puts on every namespace, with the namespace's name as its value. */
  public static final String NAME_LABEL = "kubernetes.io/metadata.name";
  /** Namespaces a cluster policy only selects when its selector names them explicitly. */
  public static final Set<String> SYSTEM = Set.of("kube-system", "kube-public", "kube-node-lease");

  private NamespaceSelection() {
  }

  /**
   * Whether {@code selector} selects {@code namespace}.
   *
   * @param labels the namespace's labels (null: none known)
   * @param operatorNamespace the operator's own namespace, excluded like the system ones (null: unknown)
   */
  public static boolean selects(LabelSelector selector, String namespace, Map<String, String> labels,
      String operatorNamespace) {
    if (selector == null || namespace == null) {
      return false;
    }
    Map<String, String> actual = new HashMap<>(labels == null ? Map.of() : labels);
    actual.put(NAME_LABEL, namespace);
    boolean excluded = SYSTEM.contains(namespace) || namespace.equals(operatorNamespace);
    if (excluded && !namesExplicitly(selector, namespace)) {
      return false;
    }
    // LabelSelectorMatcher treats an empty selector as "nothing" (a GracefulPolicy's own rule); here {} is "all"
    return LabelSelectorMatcher.isEmpty(selector) || LabelSelectorMatcher.matches(selector, actual);
  }

  /** The selector names {@code namespace} by {@link #NAME_LABEL}, in matchLabels or in an {@code In} expression. */
  static boolean namesExplicitly(LabelSelector selector, String namespace) {
    if (selector.getMatchLabels() != null && namespace.equals(selector.getMatchLabels().get(NAME_LABEL))) {
      return true;
    }
    List<LabelSelectorRequirement> expressions = selector.getMatchExpressions() == null ? List.of()
        : selector.getMatchExpressions();
    return expressions.stream().anyMatch(r -> NAME_LABEL.equals(r.getKey()) && "In".equals(r.getOperator())
        && r.getValues() != null && r.getValues().contains(namespace));
  }
}
