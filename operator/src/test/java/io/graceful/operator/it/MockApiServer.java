package io.graceful.operator.it;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fabric8 mock API server in CRUD mode, reporting a chosen Kubernetes version, with every request recorded so
 * tests can count what the operator sends (docs/rules.md lists where it differs from a real server). The operator gets
 * its own client ({@link #operatorClient()}), told apart by its User-Agent; the (verb, resource) pairs it used are
 * appended to target/rbac/requests.txt, which the chart tests compare with the RBAC the chart grants.
 */
public final class MockApiServer implements AutoCloseable {
  public static final String OPERATOR_AGENT = "graceful-operator-under-test";
  public static final Path RBAC_LOG = Path.of("target/rbac/requests.txt");
  private static final Pattern RESOURCE = Pattern.compile(
      "^/(?:api/v1|apis/([^/]+)/[^/]+)(?:/namespaces/[^/]+)?/([^/?]+)(?:/([^/?]+))?(?:/([^/?]+))?");

  /** One request as the server saw it. */
  public record Request(String method, String path, boolean fromOperator) {
    public boolean isWrite() {
      return !method.equals("GET");
    }

    public boolean isDeploymentWrite() {
      return isWrite() && path.contains("/deployments");
    }

    /** The RBAC (verb, resource) this request needs, e.g. "patch deployments.apps". */
    public String rbac() {
      Matcher m = RESOURCE.matcher(path);
      if (!m.find()) {
        return null;
      }
      String group = m.group(1);
      String resource = m.group(2);
      String name = m.group(3);
      String sub = m.group(4);
      String verb = switch (method) {
        case "GET" -> path.contains("watch=true") ? "watch" : name == null ? "list" : "get";
        case "POST" -> "create";
        case "PUT" -> "update";
        case "PATCH" -> "patch";
        case "DELETE" -> name == null ? "deletecollection" : "delete";
        default -> method.toLowerCase(java.util.Locale.ROOT);
      };
      return verb + " " + resource + (group == null ? "" : "." + group) + (sub == null ? "" : "/" + sub);
    }
  }

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
  /** Injected failure: answers a matching operator request instead of the CRUD store (fault tests). */
  private final java.util.concurrent.atomic.AtomicReference<java.util.function.Function<Request, MockResponse>> fault =
      new java.util.concurrent.atomic.AtomicReference<>(r -> null);
  /** Requests answered 403 as a real API server would (method, path prefix, the denied user). */
  private final ConcurrentLinkedQueue<Denial> denials = new ConcurrentLinkedQueue<>();

  private record Denial(String method, String pathPrefix, String user, String verb, String resource,
      String group) {}
  /** Paths (prefixes) the operator is refused with 403, standing in for RBAC the mock does not have. */
  private final Set<String> forbidden = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public MockApiServer(String minorVersion) {
    this(minorVersion, true);
  }

  /** @param withCrd whether the GracefulPolicy CRD is installed (as {@code kubectl apply -f crd/} would) */
  public MockApiServer(String minorVersion, boolean withCrd) {
    KubernetesCrudDispatcher dispatcher = new KubernetesCrudDispatcher(List.of()) {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        // the body is not recorded: reading it would consume it before the CRUD dispatcher sees it
        String agent = request.getHeader("User-Agent");
        Request seen = new Request(request.getMethod(), request.getPath(),
            agent != null && agent.contains(OPERATOR_AGENT));
        requests.add(seen);
        MockResponse injected = seen.fromOperator() ? fault.get().apply(seen) : null;
        if (injected instanceof AfterCommit lost) {
          // the store applies the request, the client never learns it: a lost response
          store(request);
          return lost.answer().get();
        }
        if (injected != null) {
          return injected;
        }
        if (request.getPath().equals("/version")) {
          // in CRUD mode /version would be looked up as a stored object
          return json("{\"major\":\"1\",\"minor\":\"" + minorVersion + "\",\"gitVersion\":\"v1." + minorVersion
              + ".0\",\"platform\":\"linux/amd64\"}");
        }
        if (agent != null && agent.contains(OPERATOR_AGENT)
            && forbidden.stream().anyMatch(p -> request.getPath().startsWith(p))) {
          return new MockResponse().setResponseCode(403).setHeader("Content-Type", "application/json").setBody(
              "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Forbidden\","
                  + "\"code\":403,\"message\":\"forbidden: the mock refuses " + request.getPath() + "\"}");
        }
        if (request.getPath().startsWith("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
          // the mock cannot evaluate RBAC; the framework checks Lease access before leader election
          return json("{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\","
              + "\"status\":{\"incomplete\":false,\"nonResourceRules\":[],\"resourceRules\":[{\"verbs\":[\"*\"],"
              + "\"apiGroups\":[\"*\"],\"resources\":[\"*\"]}]}}");
        }
        for (Denial d : denials) {
          if (d.method().equals(request.getMethod()) && request.getPath().startsWith(d.pathPrefix())) {
            // the kube-apiserver's wording for an RBAC denial
            String message = d.resource() + (d.group().isEmpty() ? "" : "." + d.group()) + " is forbidden: User \""
                + d.user() + "\" cannot " + d.verb() + " resource \"" + d.resource() + "\" in API group \""
                + d.group() + "\" at the cluster scope";
            return new MockResponse().setResponseCode(403).setHeader("Content-Type", "application/json")
                .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                    + "\"message\":\"" + message.replace("\"", "\\\"") + "\",\"reason\":\"Forbidden\","
                    + "\"details\":{\"kind\":\"" + d.resource() + "\"},\"code\":403}");
          }
        }
        return store(request);
      }

      /**
       * The CRUD store's answer. A JSON Patch whose {@code test} operation fails makes the store throw, which would
       * leave the request unanswered (the client times out); a real API server answers 422.
       */
      private MockResponse store(RecordedRequest request) {
        try {
          return super.dispatch(request);
        } catch (RuntimeException e) {
          return status(422, "Invalid", "the server rejected our request due to an error in our request: "
              + e.getMessage());
        }
      }
    };
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init();
    client = server.createClient();
    if (!withCrd) {
      return;
    }
    // both CRDs, as crd/ installs them: the mock serves discovery for the kinds whose CRD exists
    for (String file : java.util.List.of("gracefulpolicies.graceful.io-v1.yml",
        "clustergracefulpolicies.graceful.io-v1.yml")) {
      try (InputStream crd = Files.newInputStream(Path.of("target/classes/META-INF/fabric8", file))) {
        client.apiextensions().v1().customResourceDefinitions()
            .resource(client.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class)).create();
      } catch (IOException e) {
        throw new IllegalStateException("run the build first: the CRD is generated into target/classes", e);
      }
    }
  }

  /**
   * From now on, answers {@code method} requests whose path starts with {@code pathPrefix} with the 403 a real API
   * server sends when {@code user} may not {@code verb} the cluster-wide {@code resource} of {@code group}.
   */
  public void deny(String method, String pathPrefix, String user, String verb, String resource, String group) {
    denials.add(new Denial(method, pathPrefix, user, verb, resource, group));
  }

  private static MockResponse json(String body) {
    return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json").setBody(body);
  }

  /**
   * From now on, operator requests for which {@code rule} answers a response get that response instead of the
   * store's (the store is not changed); {@code null} lets a request through. {@link #healed()} removes the rule.
   */
  public void inject(java.util.function.Function<Request, MockResponse> rule) {
    fault.set(rule);
  }

  /** An injected answer that lets the CRUD store apply the request first (see {@link #afterCommit}). */
  private static final class AfterCommit extends MockResponse {
    private final java.util.function.Supplier<MockResponse> answer;

    AfterCommit(java.util.function.Supplier<MockResponse> answer) {
      this.answer = answer;
    }

    java.util.function.Supplier<MockResponse> answer() {
      return answer;
    }
  }

  /**
   * For {@link #inject}: the store applies the request (the write lands), then the client gets {@code answer}'s
   * response instead of the store's, e.g. a 500 (a response lost after the commit, as when etcd commits and the API
   * server times out). {@code answer} runs after the commit, so it may also cut the connection.
   */
  public static MockResponse afterCommit(java.util.function.Supplier<MockResponse> answer) {
    return new AfterCommit(answer);
  }

  public void healed() {
    fault.set(r -> null);
  }

  /** A Kubernetes Status error response, as the API server sends it. */
  public static MockResponse status(int code, String reason, String message) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setBody("{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Failure\",\"code\":" + code
            + ",\"reason\":\"" + reason + "\",\"message\":" + com.fasterxml.jackson.databind.node.TextNode
                .valueOf(message).toString() + "}");
  }

  /** The client tests use to act as users. */
  public KubernetesClient client() {
    return client;
  }

  /** A new client for an operator instance; its requests are marked as the operator's. */
  public KubernetesClient operatorClient() {
    return server.createClient(b -> b.withConfig(new ConfigBuilder(Config.empty())
        .withMasterUrl(server.url("/")).withTrustCerts(true).withNamespace("default")
        .withUserAgent(OPERATOR_AGENT).withRequestTimeout(10_000)
        // as the operator's own client (OperatorClient): every request sent once
        .withRequestRetryBackoffLimit(0).build()));
  }

  /** An operator client that reaches this server at {@code masterUrl} (e.g. through a {@link TcpProxy}). */
  public KubernetesClient operatorClient(String masterUrl) {
    return server.createClient(b -> b.withConfig(new ConfigBuilder(Config.empty())
        .withMasterUrl(masterUrl).withTrustCerts(true).withNamespace("default")
        .withUserAgent(OPERATOR_AGENT).withRequestTimeout(10_000).withRequestRetryBackoffLimit(0).build()));
  }

  /** The port the server listens on (localhost). */
  public int port() {
    return java.net.URI.create(server.url("/")).getPort();
  }

  public String url() {
    return server.url("/");
  }

  /** From now on the operator's requests to paths starting with {@code pathPrefix} get 403 (a missing RBAC grant). */
  public void forbid(String pathPrefix) {
    forbidden.add(pathPrefix);
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

  /** Appends the operator's (verb, resource) pairs to the RBAC log read by the chart tests. */
  private void writeRbacLog() {
    Set<String> used = new TreeSet<>();
    requests.stream().filter(Request::fromOperator).map(Request::rbac).filter(java.util.Objects::nonNull)
        .forEach(used::add);
    try {
      Files.createDirectories(RBAC_LOG.getParent());
      Files.write(RBAC_LOG, used, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    writeRbacLog();
    client.close();
    server.destroy();
  }
}
