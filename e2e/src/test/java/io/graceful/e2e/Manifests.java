package io.graceful.e2e;

/** YAML a user would write, for the tests' own workloads and policies. */
final class Manifests {
  private Manifests() {
  }

  /** A one-container Deployment labelled {@code tier: web}; {@code extraSpec} lines go into the pod spec. */
  static String deployment(String ns, String name, int replicas, String... podSpecLines) {
    StringBuilder extra = new StringBuilder();
    for (String l : podSpecLines) {
      extra.append("      ").append(l).append('\n');
    }
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: %s
          namespace: %s
          labels: {tier: web}
        spec:
          replicas: %d
          progressDeadlineSeconds: 8
          selector:
            matchLabels: {app: %s}
          template:
            metadata:
              labels: {app: %s}
            spec:
        %s      containers:
              - name: web
                image: nginx:1.27-alpine
        """.formatted(name, ns, replicas, name, name, extra);
  }

  /** A one-container StatefulSet labelled {@code tier: web}, OrderedReady, with the given update strategy. */
  static String statefulSet(String ns, String name, int replicas, String updateStrategy) {
    return statefulSet(ns, name, replicas, updateStrategy, "OrderedReady");
  }

  /** @param podManagement {@code OrderedReady} or {@code Parallel} */
  static String statefulSet(String ns, String name, int replicas, String updateStrategy, String podManagement) {
    return """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: %s
          namespace: %s
          labels: {tier: web}
        spec:
          replicas: %d
          serviceName: %s
          podManagementPolicy: %s
          updateStrategy: {type: %s}
          selector:
            matchLabels: {app: %s}
          template:
            metadata:
              labels: {app: %s}
            spec:
              containers:
              - name: web
                image: nginx:1.27-alpine
        """.formatted(name, ns, replicas, name, podManagement, updateStrategy, name, name);
  }

  /** A one-container DaemonSet labelled {@code tier: web} (RollingUpdate). */
  static String daemonSet(String ns, String name) {
    return """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: %s
          namespace: %s
          labels: {tier: web}
        spec:
          selector:
            matchLabels: {app: %s}
          template:
            metadata:
              labels: {app: %s}
            spec:
              containers:
              - name: web
                image: nginx:1.27-alpine
        """.formatted(name, ns, name, name);
  }

  /** A policy over {@code tier: web}. */
  static String policy(String ns, String name, int sleep, int shutdown) {
    return """
        apiVersion: graceful.io/v1alpha1
        kind: GracefulPolicy
        metadata:
          name: %s
          namespace: %s
        spec:
          selector:
            matchLabels: {tier: web}
          preStop:
            sleepSeconds: %d
          shutdownSeconds: %d
        """.formatted(name, ns, sleep, shutdown);
  }
}
