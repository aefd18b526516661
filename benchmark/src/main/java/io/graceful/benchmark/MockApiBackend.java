package io.graceful.benchmark;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * fabric8's mock API server in this JVM ({@link RecordingApiServer}): every request recorded by the server itself.
 * With {@code clientLog} the operator's client also reports its requests (into a separate log, never used for the
 * figures), which cross-checks {@link ClientRequestLog} against the server's own record.
 */
final class MockApiBackend implements ApiBackend {
  private static final String CRD = "META-INF/fabric8/gracefulpolicies.graceful.io-v1.yml";
  private static final String CLUSTER_CRD = "META-INF/fabric8/clustergracefulpolicies.graceful.io-v1.yml";

  private final RecordingApiServer server;
  private final RequestLog clientLog;

  MockApiBackend(boolean indexed, boolean clientLog) {
    this.server = new RecordingApiServer("31", indexed);
    this.clientLog = clientLog ? new RequestLog() : null;
  }

  @Override
  public String name() {
    return "mock";
  }

  @Override
  public String description() {
    return String.format("mock API server (fabric8 %s, CRUD mode, reports v1.31); %s.",
        io.fabric8.kubernetes.client.Version.clientVersion(), server.storeDescription());
  }

  @Override
  public KubernetesClient newDriverClient() {
    return server.newDriverClient();
  }

  /** The fake Deployment controller's client (budget-on runs): its requests are neither the operator's nor polling. */
  KubernetesClient newControllerClient() {
    return server.newClient(RequestLog.CONTROLLER_AGENT, true);
  }

  /** Both CRDs, as crd/ installs them (the operator serves ClusterGracefulPolicies only when theirs exists). */
  @Override
  public void installCrd(KubernetesClient driver) throws Exception {
    for (String resource : List.of(CRD, CLUSTER_CRD)) {
      try (InputStream crd = MockApiBackend.class.getClassLoader().getResourceAsStream(resource)) {
        if (crd == null) {
          throw new IllegalStateException(resource + " is not on the class path (build the operator module first)");
        }
        driver.apiextensions().v1().customResourceDefinitions()
            .resource(driver.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class)).create();
      }
    }
  }

  @Override
  public Path operatorKubeconfig(Path out) throws Exception {
    Path kubeconfig = out.resolve("benchmark-kubeconfig.yaml");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster: {server: "%s"}
        users:
        - name: bench
          user: {token: benchmark}
        contexts:
        - name: mock
          context: {cluster: mock, user: bench, namespace: default}
        current-context: mock
        """.formatted(server.url()));
    return kubeconfig;
  }

  @Override
  public RequestLog requests() {
    return server.log();
  }

  @Override
  public boolean recordsOnOperatorClient() {
    return false;
  }

  /** The operator client's own record (only with --client-log true), to compare with the server's. */
  RequestLog clientLog() {
    return clientLog;
  }

  @Override
  public String requestTimeMeaning() {
    return "mock server handling time";
  }

  @Override
  public List<ServerProcess> serverProcesses() {
    return List.of();
  }

  @Override
  public ApiServerMetrics metrics(KubernetesClient driver) {
    return null;
  }

  @Override
  public int defaultCreateThreads() {
    return 4;
  }

  @Override
  public void close() {
    server.close();
  }
}
