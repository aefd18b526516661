package io.graceful.operator.runtime;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeSystemInfo;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * An informer store that keeps of each Node only its name, uid, resourceVersion and kubelet version. A Node is
 * large (images, conditions, addresses, capacity, managedFields: tens of KiB on a busy node) and the operator needs
 * one string of it.
 */
public final class PrunedNodeStore extends BasicItemStore<Node> {
  public PrunedNodeStore() {
    super(Cache::metaNamespaceKeyFunc);
  }

  @Override
  public Node put(String key, Node node) {
    return super.put(key, prune(node));
  }

  static Node prune(Node n) {
    ObjectMeta meta = new ObjectMeta();
    if (n.getMetadata() != null) {
      meta.setName(n.getMetadata().getName());
      meta.setUid(n.getMetadata().getUid());
      meta.setResourceVersion(n.getMetadata().getResourceVersion());
    }
    Node out = new Node();
    out.setApiVersion(n.getApiVersion());
    out.setKind(n.getKind());
    out.setMetadata(meta);
    String kubelet = kubeletVersion(n);
    if (kubelet != null) {
      NodeSystemInfo info = new NodeSystemInfo();
      info.setKubeletVersion(kubelet);
      NodeStatus status = new NodeStatus();
      status.setNodeInfo(info);
      out.setStatus(status);
    }
    return out;
  }

  static String kubeletVersion(Node n) {
    return n == null || n.getStatus() == null || n.getStatus().getNodeInfo() == null ? null
        : n.getStatus().getNodeInfo().getKubeletVersion();
  }
}
