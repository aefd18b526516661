package io.graceful.e2e;

import static io.graceful.e2e.Workloads.deployment;
import static io.graceful.e2e.Workloads.grace;
import static io.graceful.e2e.Workloads.hook;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code kubectl apply -f examples/} on a real API server, with the operator jar running as the chart's
 * ServiceAccount: every example ends as the README and the comments in examples/deployments.yaml and
 * examples/workloads.yaml say, accepted by real validation (the native sleep action included), with exactly one
 * rollout per changed Deployment, one write to the example StatefulSet and DaemonSet, no request refused by RBAC, no
 * write once converged, and an exact revert to what the server itself stored (defaults included).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExamplesIT {
  private static final String SHOP = "shop";
  /** examples/cluster-policy.yaml: a ClusterGracefulPolicy over this labelled namespace and a team's override. */
  private static final String BLOG = "blog";
  /** Example Deployments the operator changes (the demo and the README count nine). */
  private static final List<String> CHANGED = List.of("storefront", "cart", "recommendations", "thumbnailer",
      "legacy-gateway", "catalog", "reports", "checkout", "orders");
  private static final List<String> UNTOUCHED = List.of("search", "admin", "nightly-export", "session-store");
  /** examples/workloads.yaml, governed by shop/web through spec.workloads: one write each. */
  private static final String STATEFUL_SET = "inventory";
  private static final String DAEMON_SET = "edge-proxy";

  private ControlPlane cp;
  private KubernetesClient k8s;
  private OperatorProcess operator;
  private int auditMark;
  private final Map<String, String> originalTemplates = new HashMap<>();

  @BeforeAll
  void applyTheExamples() {
    cp = ControlPlane.get();
    k8s = cp.admin();
    OperatorInstall install = OperatorInstall.ensure(cp);
    cp.awaitNamespaceGone(SHOP);
    cp.awaitNamespaceGone("payments");
    cp.awaitNamespaceGone(BLOG);
    // the Deployments first, as a team would have them before the operator arrives: what the server stores
    cp.kubectl("apply", "-f", "examples/deployments.yaml").orFail();
    cp.kubectl("apply", "-f", "examples/workloads.yaml").orFail();
    await("examples rolled out").atMost(Duration.ofSeconds(120)).until(() -> allRolledOut(SHOP)
        && allRolledOut("payments") && otherKindsRolledOut());
    for (Deployment d : k8s.apps().deployments().inNamespace(SHOP).list().getItems()) {
      originalTemplates.put(d.getMetadata().getName(), Serialization.asJson(d.getSpec().getTemplate()));
    }
    auditMark = cp.audit().mark();
    operator = OperatorProcess.start(cp, "examples", install.kubeconfig(), Map.of()).awaitReady();
    cp.kubectl("apply", "-f", "examples/policies.yaml").orFail();
  }

  @AfterAll
  void stopTheOperator() throws InterruptedException {
    if (operator != null) {
      operator.close();
    }
    cp.kubectl("delete", "-f", "examples/", "--ignore-not-found", "--wait=false");
  }

  @Test
  @Order(1)
  void everyExampleEndsAsDocumented() {
    await("examples converged").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
        .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
        .untilAsserted(() -> {
          expect("storefront", "web", "sleep 10", 35);
          expect("cart", "app", "sleep 10", 35);
          expect("cart", "log-shipper", "none", 35);
          expect("search", "web", "exec /bin/drain.sh", 30);
          expect("recommendations", "web", "exec sh -c sleep 20", 45);
          expect("thumbnailer", "thumbnailer", "sleep 10", 35);
          expect("legacy-gateway", "gateway", "exec sleep 10", 35);
          expect("admin", "web", "none", 30);
          expect("catalog", "web", "sleep 10", 35);
          expect("reports", "reports", "sleep 10", 35);
          expect("checkout", "web", "sleep 15", 40);
          expect("orders", "web", "sleep 20", 90);
          expect("nightly-export", "export", "none", 30);
          expect("session-store", "store", "none", 30);
          expect("StatefulSet " + STATEFUL_SET, statefulSet().getSpec().getTemplate(), "cache", "sleep 10", 35);
          expect("DaemonSet " + DAEMON_SET, daemonSet().getSpec().getTemplate(), "proxy", "sleep 10", 35);
        });
    // init container and native sidecar untouched
    Deployment catalog = deployment(k8s, SHOP, "catalog");
    catalog.getSpec().getTemplate().getSpec().getInitContainers()
        .forEach(c -> assertThat(c.getLifecycle() == null || c.getLifecycle().getPreStop() == null)
            .as("init container %s has no preStop", c.getName()).isTrue());
    // Audit mode: computed and reported, not written
    Deployment ledger = deployment(k8s, "payments", "ledger-api");
    assertThat(hook(ledger, "api")).isEqualTo("none");
    await("ledger status").atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(cp.kubectl("get", "gp",
        "-n", "payments", "ledger", "-o", "jsonpath={.status.audit}").orFail()).isEqualTo("1"));
  }

  @Test
  @Order(2)
  void eachChangedDeploymentRollsOutOnceWithOneWrite() {
    await("rollouts finished").atMost(Duration.ofSeconds(120)).until(() -> allRolledOut(SHOP)
        && otherKindsRolledOut());
    for (String name : CHANGED) {
      List<ReplicaSet> sets = Workloads.replicaSets(k8s, deployment(k8s, SHOP, name));
      assertThat(sets).as("ReplicaSets of %s: the original and exactly one new one", name).hasSize(2);
    }
    for (String name : UNTOUCHED) {
      assertThat(Workloads.replicaSets(k8s, deployment(k8s, SHOP, name))).as("ReplicaSets of %s", name).hasSize(1);
    }
    List<AuditLog.Request> requests = cp.audit().since(auditMark);
    List<AuditLog.Request> writes = requests.stream()
        .filter(r -> r.resource().equals("deployments.apps") && !List.of("get", "list", "watch").contains(r.verb()))
        .toList();
    assertThat(writes).as("Deployment writes").allMatch(r -> r.verb().equals("patch") && r.code() == 200);
    assertThat(writes).extracting(AuditLog.Request::name).containsExactlyInAnyOrderElementsOf(CHANGED);
    for (String[] resourceAndName : List.of(new String[] {"statefulsets.apps", STATEFUL_SET},
        new String[] {"daemonsets.apps", DAEMON_SET})) {
      List<AuditLog.Request> kindWrites = requests.stream().filter(r -> r.resource().equals(resourceAndName[0])
          && !List.of("get", "list", "watch").contains(r.verb())).toList();
      assertThat(kindWrites).as(resourceAndName[0] + " writes").hasSize(1)
          .allMatch(r -> r.verb().equals("patch") && r.code() == 200 && resourceAndName[1].equals(r.name()));
    }
    assertThat(requests).as("requests refused by RBAC").noneMatch(r -> r.code() == 403);
    System.out.println("requests of the operator while converging the examples: " + AuditLog.summary(requests));
  }

  @Test
  @Order(3)
  void nothingIsWrittenOnceConverged() throws InterruptedException {
    int mark = cp.audit().mark();
    Thread.sleep(10_000);
    List<AuditLog.Request> writes = cp.audit().since(mark).stream()
        .filter(r -> !List.of("get", "list", "watch").contains(r.verb()))
        .filter(r -> !r.resource().startsWith("leases")).toList();
    assertThat(writes).as("writes in 10 quiet seconds").isEmpty();
  }

  @Test
  @Order(4)
  void theOperatorReportsWhatItDid() {
    String events = cp.kubectl("get", "events", "-n", SHOP, "--field-selector",
        "involvedObject.name=storefront,involvedObject.kind=Deployment", "-o", "custom-columns=REASON:.reason",
        "--no-headers").orFail();
    assertThat(events).contains("HookApplied");
    String search = cp.kubectl("get", "events", "-n", SHOP, "--field-selector", "involvedObject.name=search", "-o",
        "custom-columns=REASON:.reason", "--no-headers").orFail();
    assertThat(search).contains("ExistingHook");
    // action Auto decided from the node's kubelet (the fake kubelet reports the control plane's release)
    assertThat(cp.kubectl("get", "gp", "-n", SHOP, "web", "-o", "jsonpath={.status.hookAction}/"
        + "{.status.hookActionReason}").orFail()).isEqualTo("Sleep/AllKubeletsRunSleep");
    String table = cp.kubectl("get", "gp", "-n", SHOP).orFail();
    assertThat(table).contains("web", "orders-slow");
    assertThat(cp.kubectl("get", "gp", "-n", SHOP, "orders-slow", "-o", "jsonpath={.status.applied}").orFail())
        .isEqualTo("1");
    assertThat(cp.kubectl("get", "gp", "-n", SHOP, "web", "-o", "jsonpath={.status.conflicts}").orFail())
        .isEqualTo("1");
  }

  @Test
  @Order(5)
  void anOptOutRestoresExactlyWhatTheServerStored() {
    Deployment before = deployment(k8s, SHOP, "storefront");
    List<ReplicaSet> setsBefore = Workloads.replicaSets(k8s, before);
    assertThat(originalTemplates.get("storefront")).as("the server stored the default grace period")
        .contains("\"terminationGracePeriodSeconds\":30");
    cp.kubectl("annotate", "deployment", "storefront", "-n", SHOP, "graceful.io/enabled=false").orFail();
    await("storefront reverted").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      Deployment d = deployment(k8s, SHOP, "storefront");
      assertThat(d.getMetadata().getAnnotations()).doesNotContainKeys("graceful.io/original", "graceful.io/applied",
          "graceful.io/applied-policy");
      assertThat(Serialization.asJson(d.getSpec().getTemplate())).isEqualTo(originalTemplates.get("storefront"));
    });
    await("rolled back").atMost(Duration.ofSeconds(120)).until(() -> Workloads.rolledOut(deployment(k8s, SHOP,
        "storefront")));
    // the same template means the same ReplicaSet: the revert reuses the original, it creates no third one
    assertThat(Workloads.replicaSets(k8s, deployment(k8s, SHOP, "storefront"))).hasSize(setsBefore.size());
    assertThat(grace(deployment(k8s, SHOP, "storefront"))).isEqualTo(30L);
  }

  @Test
  @Order(6)
  void theClusterPolicyExampleGovernsItsNamespaceAndYieldsToTheTeamsPolicy() {
    int mark = cp.audit().mark();
    cp.kubectl("apply", "-f", "examples/cluster-policy.yaml").orFail();
    await("cluster policy example converged").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
        .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
        .untilAsserted(() -> {
          Deployment frontend = deployment(k8s, BLOG, "frontend");
          assertThat(hook(frontend, "web")).isEqualTo("sleep 5");
          assertThat(grace(frontend)).isEqualTo(35L);
          assertThat(frontend.getMetadata().getAnnotations())
              .containsEntry("graceful.io/applied-policy", "cluster/platform-default");
          Deployment comments = deployment(k8s, BLOG, "comments");
          assertThat(hook(comments, "web")).isEqualTo("sleep 15");
          assertThat(grace(comments)).isEqualTo(45L);
          assertThat(cp.kubectl("get", "cgp", "platform-default", "-o", "jsonpath={.status.applied}/"
              + "{.status.skipped}/{.status.conflicts}/{.status.deployments[0].namespace}/"
              + "{.status.deployments[0].name}/{.status.deployments[0].reason}").orFail())
              .isEqualTo("1/1/0/blog/comments/OverriddenByNamespacePolicy");
        });
    assertThat(cp.kubectl("get", "cgp").orFail()).contains("platform-default");
    assertThat(cp.audit().since(mark)).as("requests refused by RBAC").noneMatch(r -> r.code() == 403);
  }

  private void expect(String name, String container, String hook, long grace) {
    expect(name, deployment(k8s, SHOP, name).getSpec().getTemplate(), container, hook, grace);
  }

  private void expect(String what, PodTemplateSpec template, String container, String hook, long grace) {
    assertThat(hook(template, container)).as("%s/%s preStop", what, container).isEqualTo(hook);
    assertThat(grace(template)).as("%s terminationGracePeriodSeconds", what).isEqualTo(grace);
  }

  private StatefulSet statefulSet() {
    return k8s.apps().statefulSets().inNamespace(SHOP).withName(STATEFUL_SET).get();
  }

  private DaemonSet daemonSet() {
    return k8s.apps().daemonSets().inNamespace(SHOP).withName(DAEMON_SET).get();
  }

  /** The example StatefulSet and DaemonSet run their latest template on every pod, all ready. */
  private boolean otherKindsRolledOut() {
    StatefulSet sts = statefulSet();
    DaemonSet ds = daemonSet();
    var s = sts.getStatus();
    var d = ds.getStatus();
    return s != null && Objects.equals(s.getObservedGeneration(), sts.getMetadata().getGeneration())
        && Objects.equals(s.getReadyReplicas(), sts.getSpec().getReplicas())
        && Objects.equals(s.getUpdatedReplicas(), sts.getSpec().getReplicas())
        && Objects.equals(s.getCurrentRevision(), s.getUpdateRevision())
        && d != null && Objects.equals(d.getObservedGeneration(), ds.getMetadata().getGeneration())
        && d.getDesiredNumberScheduled() != null && d.getDesiredNumberScheduled() > 0
        && Objects.equals(d.getUpdatedNumberScheduled(), d.getDesiredNumberScheduled())
        && Objects.equals(d.getNumberAvailable(), d.getDesiredNumberScheduled());
  }

  private boolean allRolledOut(String ns) {
    List<Deployment> all = k8s.apps().deployments().inNamespace(ns).list().getItems();
    return !all.isEmpty() && all.stream().allMatch(Workloads::rolledOut);
  }
}
