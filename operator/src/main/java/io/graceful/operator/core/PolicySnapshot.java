package io.graceful.operator.core;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;

/**
 * What planning needs to know of one policy: identity, age (for precedence), generation and spec.
 * Built by the glue from the cached custom resource, so that the core never sees client classes.
 *
 * @param creationTimestamp RFC 3339, as the API server writes it; compared as text, which orders correctly
 * @param namespaceSelector a cluster policy's namespaces ({@link NamespaceSelection}); null for a namespaced policy
 * @param tunedSleepSeconds the sleep drain tuning chose ({@link SleepAutoTuner}, from the policy's status), used
 *     instead of the spec's; null while the spec's applies
 */
public record PolicySnapshot(PolicyRef ref, String creationTimestamp, long generation, GracefulPolicySpec spec,
    LabelSelector namespaceSelector, Long tunedSleepSeconds) {

  /** A policy whose spec's sleep applies (no tuning). */
  public PolicySnapshot(PolicyRef ref, String creationTimestamp, long generation, GracefulPolicySpec spec,
      LabelSelector namespaceSelector) {
    this(ref, creationTimestamp, generation, spec, namespaceSelector, null);
  }

  /** The same policy with the sleep drain tuning chose (null: the spec's). */
  public PolicySnapshot withTunedSleep(Long seconds) {
    return new PolicySnapshot(ref, creationTimestamp, generation, spec, namespaceSelector, seconds);
  }

  /** The spec validated and defaulted, with the tuned sleep as the effective sleep when there is one. */
  public PolicySettings.Validated settings() {
    return PolicySettings.validate(spec, tunedSleepSeconds);
  }

  /** A policy without a namespace selector (every namespaced policy). */
  public PolicySnapshot(PolicyRef ref, String creationTimestamp, long generation, GracefulPolicySpec spec) {
    this(ref, creationTimestamp, generation, spec, null);
  }

  /** A ClusterGracefulPolicy. */
  public static PolicySnapshot cluster(String name, String creationTimestamp, long generation,
      GracefulPolicySpec spec, LabelSelector namespaceSelector) {
    return new PolicySnapshot(PolicyRef.cluster(name), creationTimestamp, generation, spec, namespaceSelector);
  }

  /** A namespaced GracefulPolicy. */
  public PolicySnapshot(String namespace, String name, String creationTimestamp, long generation,
      GracefulPolicySpec spec) {
    this(new PolicyRef(namespace, name), creationTimestamp, generation, spec);
  }

  /** The policy's namespace; null for a cluster policy. */
  public String namespace() {
    return ref.namespace();
  }

  /** The policy's name. */
  public String name() {
    return ref.name();
  }

  /**
   * How verdicts, the undo record ({@code graceful.io/applied-policy}) and plans name the policy: the bare name for
   * a namespaced policy (unchanged from earlier versions), {@code cluster/<name>} for a cluster policy.
   */
  public String id() {
    return ref.annotationValue();
  }

  public boolean isCluster() {
    return ref.isCluster();
  }

  /** The policy may govern workloads of {@code namespace} (R12): its own namespace, or one its selector selects. */
  public boolean inScope(String namespace, NamespaceView view) {
    return isCluster() ? NamespaceSelection.selects(namespaceSelector, namespace, view.labels(),
        view.operatorNamespace()) : java.util.Objects.equals(ref.namespace(), namespace);
  }
}
