package io.graceful.operator.core;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What action {@code Auto} means, and why (shown in the policy status as {@code hookActionReason} and
 * {@code hookActionMessage}).
 *
 * <p>The API server accepting {@code lifecycle.preStop.sleep} (>= 1.30) is not enough: it may be up to three minors
 * ahead of the kubelets, and a kubelet older than 1.30 silently ignores a native sleep, so its pods get SIGTERM at
 * once. So {@code Auto} is the native sleep only when every node's kubelet runs it; without nodes to look at
 * (none reports a kubelet version, or the operator may not list them) the API server version decides.
 *
 * @param autoUsesSleep action {@code Auto} resolves to the native sleep action (else exec {@code sleep})
 * @param sleepAccepted the API server accepts the native sleep action at all: an explicit {@code Sleep} is written
 *     (else it is reported as {@code SleepActionUnsupported}). An explicit {@code Sleep} is the user's choice (e.g.
 *     distroless images) and is written even where old kubelets ignore it
 * @param reason a CamelCase reason: {@link #FORCED}, {@link #ALL_KUBELETS_RUN_SLEEP}, {@link #OLD_KUBELET},
 *     {@link #NO_NODES}, {@link #NODES_NOT_READABLE}, {@link #NODES_NOT_LISTED}
 * @param message for people: which node, which version, or which fallback
 */
public record NativeSleepDecision(boolean autoUsesSleep, boolean sleepAccepted, String reason, String message) {
  public static final String FORCED = "Forced";
  public static final String ALL_KUBELETS_RUN_SLEEP = "AllKubeletsRunSleep";
  public static final String OLD_KUBELET = "OldKubelet";
  public static final String NO_NODES = "NoNodes";
  public static final String NODES_NOT_READABLE = "NodesNotReadable";
  public static final String NODES_NOT_LISTED = "NodesNotListed";

  /** Whether the operator could look at the nodes. */
  public enum Nodes {
    /** listed (the list given is every node) */
    READABLE,
    /** {@code list nodes} is forbidden (403): the operator's RBAC does not include nodes */
    FORBIDDEN,
    /** not (yet) listed: the node list failed or did not finish in time; it keeps being retried */
    NOT_LISTED
  }

  /** One node and the {@code status.nodeInfo.kubeletVersion} it reports (null or empty: not reported yet). */
  public record NodeKubelet(String node, String kubeletVersion) {
  }

  /** {@code GRACEFUL_NATIVE_SLEEP=true|false}: no detection. */
  public static NativeSleepDecision forced(boolean on) {
    return new NativeSleepDecision(on, on, FORCED, on
        ? "GRACEFUL_NATIVE_SLEEP=true: native sleep action, whatever the versions"
        : "GRACEFUL_NATIVE_SLEEP=false: exec sleep");
  }

  /**
   * The decision for {@code GRACEFUL_NATIVE_SLEEP=auto}.
   *
   * <p>Nodes that report no kubelet version are left out (a kubelet reports it with its first status, before its
   * node is Ready). A version that cannot be parsed counts as too old: exec {@code sleep} runs on every kubelet.
   * Whichever node decides is named: the one with the oldest kubelet (unparseable first), then by name, so the
   * message is the same whatever the list's order. Node counts are deliberately not in the message: nodes come and
   * go with autoscaling, and a changing message would rewrite every policy's status each time.
   *
   * @param apiServer the API server's version, empty when it could not be read
   */
  public static NativeSleepDecision decide(List<NodeKubelet> nodes, Optional<KubeVersion> apiServer, Nodes visibility) {
    boolean serverAccepts = apiServer.map(KubeVersion::runsNativeSleep).orElse(false);
    String server = apiServer.map(v -> "API server " + v).orElse("API server version unknown");
    if (visibility == Nodes.READABLE) {
      List<NodeKubelet> reporting = nodes.stream()
          .filter(n -> n.kubeletVersion() != null && !n.kubeletVersion().isBlank()).toList();
      if (!reporting.isEmpty()) {
        NodeKubelet oldest = reporting.stream().min(Comparator
            .comparing((NodeKubelet n) -> KubeVersion.parse(n.kubeletVersion()).orElse(null),
                Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(NodeKubelet::node, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(NodeKubelet::kubeletVersion)).orElseThrow();
        Optional<KubeVersion> oldestVersion = KubeVersion.parse(oldest.kubeletVersion());
        if (oldestVersion.isEmpty()) {
          return new NativeSleepDecision(false, serverAccepts, OLD_KUBELET, "node " + oldest.node()
              + " reports kubelet version '" + oldest.kubeletVersion().strip() + "', which cannot be read as "
              + "major.minor: exec sleep, which every kubelet runs");
        }
        if (!oldestVersion.get().runsNativeSleep()) {
          return new NativeSleepDecision(false, serverAccepts, OLD_KUBELET, "node " + oldest.node()
              + " runs kubelet " + oldest.kubeletVersion().strip() + ", which ignores the native sleep action "
              + "(needs >= 1.30): exec sleep");
        }
        // kubelets are never newer than their API server: when its version is unknown, theirs proves it
        boolean accepts = apiServer.isEmpty() || serverAccepts;
        if (!accepts) {
          return new NativeSleepDecision(false, false, OLD_KUBELET, server
              + " does not accept the native sleep action (needs >= 1.30): exec sleep");
        }
        return new NativeSleepDecision(true, true, ALL_KUBELETS_RUN_SLEEP, "all nodes run kubelet >= 1.30 "
            + "(oldest " + oldest.kubeletVersion().strip() + " on node " + oldest.node() + "): native sleep action");
      }
    }
    String why = switch (visibility) {
      case READABLE -> "no node reports a kubelet version";
      case FORBIDDEN -> "nodes not readable (list nodes is forbidden)";
      case NOT_LISTED -> "nodes not listed yet";
    };
    String reason = switch (visibility) {
      case READABLE -> NO_NODES;
      case FORBIDDEN -> NODES_NOT_READABLE;
      case NOT_LISTED -> NODES_NOT_LISTED;
    };
    return new NativeSleepDecision(serverAccepts, serverAccepts, reason, why + "; " + server
        + (serverAccepts ? " decides: native sleep action" : apiServer.isEmpty() ? ": exec sleep"
            : " decides: exec sleep (needs >= 1.30)"));
  }

  /** Whether planning gives a different result under {@code other} (the message alone changes no plan). */
  public boolean plansDifferFrom(NativeSleepDecision other) {
    return other == null || autoUsesSleep != other.autoUsesSleep || sleepAccepted != other.sleepAccepted;
  }
}
