package io.graceful.operator.it;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.graceful.operator.GracefulOperator;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.config.OperatorConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** A mock API server with the real operator running against it, and the checks a user would make. */
public final class OperatorHarness implements AutoCloseable {
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  public final MockApiServer api;
  public final KubernetesClient client;
  public final KubernetesClient operatorClient;
  public final GracefulOperator operator;

  public OperatorHarness(String minorVersion, OperatorConfig config) {
    this(minorVersion, config, api -> { });
  }

  /** @param before runs before the operator starts (objects it must find, refusals) */
  public OperatorHarness(String minorVersion, OperatorConfig config,
      java.util.function.Consumer<MockApiServer> before) {
    api = new MockApiServer(minorVersion);
    before.accept(api);
    client = api.client();
    operatorClient = api.operatorClient();
    operator = GracefulOperator.start(operatorClient, config.withHttpPort(0));
  }

  public String newNamespace(String prefix) {
    String ns = prefix + "-" + NAMESPACES.incrementAndGet();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    return ns;
  }

  public Deployment deployment(String ns, String name) {
    return client.apps().deployments().inNamespace(ns).withName(name).get();
  }

  public GracefulPolicy policy(String ns, String name) {
    return client.resources(GracefulPolicy.class).inNamespace(ns).withName(name).get();
  }

  public Deployment awaitDeployment(String ns, String name, Predicate<Deployment> condition) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .until(() -> condition.test(deployment(ns, name)));
    return deployment(ns, name);
  }

  /**
   * Edits a policy's spec as a person would with {@code kubectl edit}: read, change, update; a 409 (the operator
   * wrote the status in between) is answered by reading again, as kubectl's retry does.
   */
  public GracefulPolicy updatePolicy(String ns, String name,
      java.util.function.Consumer<io.graceful.operator.api.v1alpha1.GracefulPolicySpec> change) {
    for (int attempt = 1; ; attempt++) {
      GracefulPolicy fresh = policy(ns, name);
      change.accept(fresh.getSpec());
      try {
        return client.resource(fresh).update();
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 10) {
          throw e;
        }
      }
    }
  }

  public GracefulPolicy awaitPolicy(String ns, String name, Predicate<GracefulPolicy> condition) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .until(() -> {
          GracefulPolicy p = policy(ns, name);
          return p != null && p.getStatus() != null && condition.test(p);
        });
    return policy(ns, name);
  }

  /** Waits until the policy's status describes its current generation with nothing pending. */
  public GracefulPolicy awaitConverged(String ns, String name) {
    return awaitPolicy(ns, name, p -> p.getStatus().getObservedGeneration() != null
        && p.getStatus().getObservedGeneration().equals(p.getMetadata().getGeneration())
        && p.getStatus().getPending() == 0);
  }

  public List<Event> events(String ns, String involvedName) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> e.getInvolvedObject() != null && involvedName.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  /** Writes the operator sent to Deployments of {@code ns} (they carry its field manager). */
  public List<MockApiServer.Request> deploymentWrites(String ns) {
    return api.requests(r -> r.isDeploymentWrite() && r.path().contains("/namespaces/" + ns + "/")
        && r.path().contains("fieldManager=graceful-operator"));
  }

  public List<MockApiServer.Request> writesIn(String ns) {
    return api.requests(r -> r.isWrite() && r.path().contains("/namespaces/" + ns + "/"));
  }

  public static Map<String, String> annotations(Deployment d) {
    return d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations();
  }

  /** Every request the operator sent in {@code ns}. */
  public List<MockApiServer.Request> operatorRequestsIn(String ns) {
    return api.requests(r -> r.fromOperator() && r.path().contains("/namespaces/" + ns + "/"));
  }

  @Override
  public void close() {
    operator.close();
    operatorClient.close();
    api.close();
  }
}
