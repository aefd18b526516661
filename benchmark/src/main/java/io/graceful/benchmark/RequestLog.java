package io.graceful.benchmark;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Every API request the benchmark knows of, wherever it was recorded: by the mock server's dispatcher (mock runs) or
 * by the operator's own HTTP client ({@link ClientRequestLog}, real runs, where the benchmark cannot see inside the
 * server). Also keeps, per Deployment, when the operator last patched it successfully, which is how convergence is
 * detected without polling the server.
 */
final class RequestLog {
  static final String DRIVER_AGENT = "graceful-benchmark-driver";
  static final String OPERATOR_AGENT = "graceful-operator-bench";
  /** The benchmark's fake Deployment controller (budget-on runs). */
  static final String CONTROLLER_AGENT = "graceful-benchmark-deployment-controller";

  /**
   * One request as it was answered. {@code nanos}: for the mock, the time the server spent in dispatch(); for the
   * operator's client log, the round trip until the response headers arrived. {@code code} 0 = websocket upgrade,
   * -1 = connection failure.
   */
  record Request(long startNanos, long nanos, String method, String path, String agent, int code) {
    boolean fromOperator() {
      return agent != null && agent.startsWith(OPERATOR_AGENT);
    }

    boolean fromDriver() {
      return DRIVER_AGENT.equals(agent);
    }

    boolean isWrite() {
      return !method.equals("GET");
    }

    RequestPath parsed() {
      return RequestPath.parse(method, path);
    }
  }

  private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
  /**
   * ns/name of every workload (Deployment, StatefulSet, DaemonSet: names are unique across kinds in the benchmark) the
   * operator patched successfully, with the start time of the (last) patch.
   */
  private final ConcurrentHashMap<String, Long> patchedDeployments = new ConcurrentHashMap<>();

  void record(Request r) {
    requests.add(r);
    if (r.fromOperator() && r.method().equals("PATCH") && r.code() / 100 == 2) {
      RequestPath p = r.parsed();
      if (ScaleBenchmark.WORKLOAD_RESOURCES.contains(p.resource()) && p.name() != null) {
        patchedDeployments.merge(p.namespace() + "/" + p.name(), r.startNanos(), Math::max);
      }
    }
  }

  /** A line of {@link ClientRequestLog} (without its "BENCH req " prefix), as the operator's client saw it. */
  void recordClientLine(String line) {
    String[] f = line.split(" ", 5);
    record(new Request(Long.parseLong(f[0]), Long.parseLong(f[1]), f[3], f[4], OPERATOR_AGENT,
        Integer.parseInt(f[2])));
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  /** How many distinct Deployments the operator has patched successfully so far. */
  long patchedCount() {
    return patchedDeployments.size();
  }

  /** Whether every Deployment (ns/name) in {@code expected} got a successful operator patch at or after the time. */
  boolean allPatchedSince(Set<String> expected, long sinceNanos) {
    for (String key : expected) {
      Long at = patchedDeployments.get(key);
      if (at == null || at < sinceNanos) {
        return false;
      }
    }
    return true;
  }
}
