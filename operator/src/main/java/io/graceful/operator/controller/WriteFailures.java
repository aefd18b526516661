package io.graceful.operator.controller;

import io.graceful.operator.core.PolicyRef;
import io.graceful.operator.core.WorkloadRef;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last refused write of each workload whose writes keep failing, until one succeeds or the workload needs
 * no write any more: the policy status says which and why (a 403 names the missing permission, a 422 carries the
 * server's message), and a metric counts them.
 */
public final class WriteFailures {
  /** @param policy the policy the write was for, or null when none governs the workload any more */
  private record Failure(PolicyRef policy, String text) {}

  private final Map<WorkloadRef, Failure> byWorkload = new ConcurrentHashMap<>();

  /**
   * @param policy the governing (or last applied) policy as the workload's annotations name it: a name in the
   *     workload's namespace, or {@code cluster/<name>}
   */
  public void failed(WorkloadRef workload, String policy, int code, String message) {
    byWorkload.put(workload, new Failure(PolicyRef.parse(policy, workload.namespace()),
        code + ": " + firstLine(message)));
  }

  public void cleared(WorkloadRef workload) {
    byWorkload.remove(workload);
  }

  /**
   * Workload -> "CODE: message", for the status of the policy {@code name} in {@code namespace}. A Deployment is
   * named by its name (as before other kinds were served), another kind as "StatefulSet db", so that two workloads
   * of one name stay apart.
   */
  public Map<String, String> of(String namespace, String policy) {
    return of(PolicyRef.namespaced(namespace, policy));
  }

  /** The same for any policy; a cluster policy's workloads are named with their namespace, "shop/web". */
  public Map<String, String> of(PolicyRef wanted) {
    Map<String, String> out = new TreeMap<>();
    byWorkload.forEach((workload, f) -> {
      if (wanted.equals(f.policy())) {
        String name = wanted.isCluster() ? workload.namespace() + "/" + workload.name() : workload.name();
        out.put(workload.kind() == io.graceful.operator.core.WorkloadKind.Deployment ? name
            : workload.kind().name() + " " + name, f.text());
      }
    });
    return out;
  }

  public int count() {
    return byWorkload.size();
  }

  public int count(io.graceful.operator.core.WorkloadKind kind) {
    return (int) byWorkload.keySet().stream().filter(w -> w.kind() == kind).count();
  }

  private static String firstLine(String message) {
    String m = message == null ? "" : message.strip();
    int nl = m.indexOf('\n');
    m = nl < 0 ? m : m.substring(0, nl);
    return m.length() > 300 ? m.substring(0, 300) + "..." : m;
  }
}
