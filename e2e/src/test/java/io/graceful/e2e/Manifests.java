package io.graceful.e2e;

/** YAML a user would write, for the tests' own Deployments and policies. */
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
