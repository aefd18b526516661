package io.graceful.benchmark;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The fabric8 mock API server in CRUD mode, reporting Kubernetes 1.{minor} on /version, recording every request it
 * answers into a {@link RequestLog}: method, path, User-Agent, response code and the time the server spent handling
 * it. Request bodies are never read here (reading one would consume it before the CRUD dispatcher sees it).
 */
final class RecordingApiServer implements AutoCloseable {
  static final String DRIVER_AGENT = RequestLog.DRIVER_AGENT;
  static final String OPERATOR_AGENT = RequestLog.OPERATOR_AGENT;
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;
  private final RequestLog log = new RequestLog();
  private final Thread drainer;

  private IndexedStore index;

  RecordingApiServer(String minor, boolean indexed) {
    MOCK_LOG.setLevel(Level.WARNING);
    String version = "{\"major\":\"1\",\"minor\":\"" + minor + "\",\"gitVersion\":\"v1." + minor
        + ".0\",\"platform\":\"linux/amd64\"}";
    KubernetesCrudDispatcher dispatcher = new KubernetesCrudDispatcher(List.of()) {
      @Override
      public java.util.Map.Entry<io.fabric8.mockwebserver.crud.AttributeSet, String> findResource(
          io.fabric8.mockwebserver.crud.AttributeSet query) {
        IndexedStore store = index;
        return store == null ? super.findResource(query) : store.find(query, () -> super.findResource(query));
      }

      /**
       * A GET of one named object: the stock handleGet copies and scans the whole store (as a LIST does) even for
       * one name; with the index it is the same first-match lookup as findResource (200 with the stored object, or
       * 404 without a body, as stock). The operator reads Events by name before creating them (404 when new): with
       * the rollout budget on, one per waiting Deployment, and those stock scans saturated the mock's event loop.
       */
      @Override
      public MockResponse handleGet(String path) {
        IndexedStore store = index;
        if (store == null || path.contains("?")) {
          return super.handleGet(path);
        }
        io.fabric8.mockwebserver.crud.AttributeSet query = attributeExtractor.fromPath(path);
        if (!query.containsKey("name")) {
          return super.handleGet(path);
        }
        java.util.Map.Entry<io.fabric8.mockwebserver.crud.AttributeSet, String> found = store.find(query,
            () -> super.findResource(query));
        return found == null ? new MockResponse().setResponseCode(404)
            : new MockResponse().setResponseCode(200).setBody(found.getValue());
      }

      @Override
      public MockResponse dispatch(RecordedRequest request) {
        long start = System.nanoTime();
        MockResponse response;
        if (request.getPath().startsWith("/version")) {
          // in CRUD mode /version would be looked up as a stored object
          response = new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
              .setBody(version);
        } else {
          response = super.dispatch(request);
        }
        log.record(new RequestLog.Request(start, System.nanoTime() - start, request.getMethod(),
            request.getPath(), request.getHeader("User-Agent"), response.code()));
        return response;
      }
    };
    if (indexed) {
      index = IndexedStore.install(dispatcher);
    }
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init();
    // MockWebServer keeps every request (with its body) in a queue for takeRequest(): drain it, or it grows all run
    drainer = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          while (server.takeRequest(1, TimeUnit.MILLISECONDS) != null) {
            // discard
          }
          Thread.sleep(500);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "request-drainer");
    drainer.setDaemon(true);
    drainer.start();
  }

  /** http://localhost:port, no trailing slash. */
  String url() {
    String url = server.url("/");
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  KubernetesClient newDriverClient() {
    return newClient(DRIVER_AGENT, false);
  }

  /**
   * A client of this server that identifies itself with {@code agent} (the benchmark's fake controllers). With
   * {@code http11} it never tries HTTP/2: the JDK client's h2c upgrade on a first large LIST (an informer's) gets
   * "Frame ... exceeds MAX_FRAME_SIZE(16384)" from the mock's Vert.x server.
   */
  KubernetesClient newClient(String agent, boolean http11) {
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url()).withUserAgent(agent)
        .withHttp2Disable(http11)
        .withRequestTimeout(120_000).withConnectionTimeout(30_000).withNamespace("default").build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** "stock" or "indexed (lookups, mismatches against the stock scan)". */
  String storeDescription() {
    IndexedStore store = index;
    return store == null ? "stock fabric8 store (every single-object lookup scans all stored objects)"
        : "indexed single-object lookup (IndexedStore; " + store.lookups() + " lookups, " + store.mismatches()
            + " mismatches in " + store.lookups() / 200 + " cross-checks against the stock scan)";
  }

  /** What the server recorded: every request it answered. */
  RequestLog log() {
    return log;
  }

  @Override
  public void close() {
    drainer.interrupt();
    server.destroy();
  }
}
