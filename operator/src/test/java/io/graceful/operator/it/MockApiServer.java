package io.graceful.operator.it;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * The fabric8 mock API server in CRUD mode, reporting a chosen Kubernetes version, with every request recorded so
 * tests can count what the operator sends (SPEC §8 lists where it differs from a real server).
 */
public final class MockApiServer implements AutoCloseable {
  /** One request as the server saw it. */
  public record Request(String method, String path) {
    public boolean isWrite() {
      return !method.equals("GET");
    }

    public boolean isDeploymentWrite() {
      return isWrite() && path.contains("/deployments");
    }
  }

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();

  public MockApiServer(String minorVersion) {
    KubernetesCrudDispatcher dispatcher = new KubernetesCrudDispatcher(List.of()) {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        // the body is not recorded: reading it would consume it before the CRUD dispatcher sees it
        requests.add(new Request(request.getMethod(), request.getPath()));
        if (request.getPath().equals("/version")) {
          // in CRUD mode /version would be looked up as a stored object
          return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
              .setBody("{\"major\":\"1\",\"minor\":\"" + minorVersion + "\",\"gitVersion\":\"v1." + minorVersion
                  + ".0\",\"platform\":\"linux/amd64\"}");
        }
        return super.dispatch(request);
      }
    };
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init();
    client = server.createClient();
    try (InputStream crd = Files.newInputStream(Path.of("target/classes/META-INF/fabric8/gracefulpolicies.graceful.io-v1.yml"))) {
      client.apiextensions().v1().customResourceDefinitions()
          .resource(client.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class)).create();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("run the build first: the CRD is generated into target/classes", e);
    }
  }

  public KubernetesClient client() {
    return client;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public List<Request> requests(Predicate<Request> filter) {
    return requests.stream().filter(filter).toList();
  }

  public void clearRequests() {
    requests.clear();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
