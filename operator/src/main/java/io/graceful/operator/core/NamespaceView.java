package io.graceful.operator.core;

import java.util.Map;

/**
 * What planning knows of a workload's namespace, for cluster policies' {@code namespaceSelector}
 * ({@link NamespaceSelection}).
 *
 * @param labels the namespace's labels as cached (empty when the namespace is not known)
 * @param operatorNamespace the operator's own namespace, which cluster policies only select explicitly (null: unknown)
 */
public record NamespaceView(Map<String, String> labels, String operatorNamespace) {
  /** Nothing known: cluster policies then select the namespace only if they name it or select {@code {}}. */
  public static final NamespaceView UNKNOWN = new NamespaceView(Map.of(), null);

  public NamespaceView {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }
}
