package io.graceful.operator.controller;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last refused write of each Deployment whose writes keep failing, until one succeeds or the Deployment needs
 * no write any more: the policy status says which and why (a 403 names the missing permission, a 422 carries the
 * server's message), and a metric counts them.
 */
public final class WriteFailures {
  private record Failure(String namespace, String policy, String text) {}

  private final Map<String, Failure> byDeployment = new ConcurrentHashMap<>();

  public void failed(String namespace, String name, String policy, int code, String message) {
    byDeployment.put(namespace + "/" + name, new Failure(namespace, policy, code + ": " + firstLine(message)));
  }

  public void cleared(String namespace, String name) {
    byDeployment.remove(namespace + "/" + name);
  }

  /** Deployment name -> "CODE: message", for the policy's status. */
  public Map<String, String> of(String namespace, String policy) {
    Map<String, String> out = new TreeMap<>();
    byDeployment.forEach((key, f) -> {
      if (f.namespace().equals(namespace) && policy.equals(f.policy())) {
        out.put(key.substring(key.indexOf('/') + 1), f.text());
      }
    });
    return out;
  }

  public int count() {
    return byDeployment.size();
  }

  private static String firstLine(String message) {
    String m = message == null ? "" : message.strip();
    int nl = m.indexOf('\n');
    m = nl < 0 ? m : m.substring(0, nl);
    return m.length() > 300 ? m.substring(0, 300) + "..." : m;
  }
}
