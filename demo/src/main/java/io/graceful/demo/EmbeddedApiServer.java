package io.graceful.demo;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A throw-away API server inside this JVM: the fabric8 mock server in CRUD mode (objects are stored, listed,
 * watched, patched), reporting Kubernetes {@value #MAJOR}.{@value #MINOR} on {@code /version}, so that action
 * {@code Auto} resolves to the native sleep action. It is not a real API server: no schema validation, no
 * defaulting, no controllers (nothing rolls out), no server-side apply (see docs/rules.md).
 */
final class EmbeddedApiServer implements AutoCloseable {

  static final String MAJOR = "1";
  static final String MINOR = "31";

  /** The mock server logs every request through java.util.logging; held here so the setting is not collected. */
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private EmbeddedApiServer(KubernetesMockServer server) {
    this.server = server;
    this.client = server.createClient();
  }

  static EmbeddedApiServer start() {
    MOCK_LOG.setLevel(Level.WARNING);
    // Expectations (here only "/" and "/version", registered by the mock server itself) are answered first,
    // every other request goes to the CRUD store: the "mixed" dispatcher.
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    VersionInfo version = new VersionInfo.Builder()
        .withMajor(MAJOR)
        .withMinor(MINOR)
        .withGitVersion("v" + MAJOR + "." + MINOR + ".0")
        .withPlatform("linux/amd64")
        .build();
    KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()),
        new MockWebServer(), expectations, new KubernetesMixedDispatcher(expectations), false, version);
    server.init();
    return new EmbeddedApiServer(server);
  }

  /** The client the demo and the operator share; closed by {@link #close()}. */
  KubernetesClient client() {
    return client;
  }

  String url() {
    return server.url("/");
  }

  /** Requests received since the previous call (the mock server records every request it answers). */
  List<RecordedRequest> drainRequests() {
    List<RecordedRequest> requests = new ArrayList<>();
    try {
      RecordedRequest request;
      while ((request = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
        requests.add(request);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return requests;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
