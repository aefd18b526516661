package io.graceful.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A kubeconfig that authenticates as a ServiceAccount with a bound token, as a pod of that ServiceAccount would:
 * the operator process then meets the API server's real authorization for that identity.
 */
final class ServiceAccountKubeconfig {
  private ServiceAccountKubeconfig() {
  }

  static String user(String namespace, String serviceAccount) {
    return "system:serviceaccount:" + namespace + ":" + serviceAccount;
  }

  static Path write(ControlPlane cp, String namespace, String serviceAccount, Path file) {
    String token = cp.kubectl("create", "token", serviceAccount, "-n", namespace, "--duration=6h").orFail().trim();
    String server = cp.kubectl("config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}").orFail();
    String ca = cp.kubectl("config", "view", "--minify", "-o",
        "jsonpath={.clusters[0].cluster.certificate-authority}").orFail();
    String user = user(namespace, serviceAccount);
    try {
      Files.writeString(file, """
          apiVersion: v1
          kind: Config
          clusters:
          - name: e2e
            cluster:
              server: %s
              certificate-authority: %s
          users:
          - name: %s
            user:
              token: %s
          contexts:
          - name: e2e
            context: {cluster: e2e, user: %s, namespace: %s}
          current-context: e2e
          """.formatted(server, ca, user, token, user, namespace));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
