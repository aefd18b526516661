package io.graceful.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * StatefulSets and DaemonSets on a real API server with the real StatefulSet and DaemonSet controllers: a policy that
 * lists their kinds applies the hook with one JSON Patch each, the change rolls out for real (a new
 * ControllerRevision, every pod replaced and carrying the hook; a Parallel StatefulSet rolls like an OrderedReady
 * one), an OnDelete StatefulSet is written but restarts no pod and reports AppliesOnNextRestart, and deleting the
 * policy restores each template exactly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkloadKindsIT {
  private static final String NS = "e2e-kinds";
  private ControlPlane cp;
  private KubernetesClient k8s;
  private OperatorProcess operator;
  private PodTemplateSpec dbBefore;
  private PodTemplateSpec brokerBefore;
  private PodTemplateSpec proxyBefore;
  private PodTemplateSpec cacheBefore;

  @BeforeAll
  void start() {
    cp = ControlPlane.get();
    k8s = cp.admin();
    OperatorInstall install = OperatorInstall.ensure(cp);
    cp.freshNamespace(NS);
    cp.kubectlStdin(Manifests.statefulSet(NS, "db", 2, "RollingUpdate") + "---\n"
        + Manifests.statefulSet(NS, "broker", 1, "OnDelete") + "---\n" + Manifests.daemonSet(NS, "proxy")
        + "---\n" + Manifests.statefulSet(NS, "cache", 3, "RollingUpdate", "Parallel"),
        "apply", "-f", "-").orFail();
    await("workloads rolled out").atMost(Duration.ofSeconds(90))
        .until(() -> stsDone(sts("db")) && stsReady(sts("broker")) && dsDone(ds("proxy")) && stsDone(sts("cache")));
    dbBefore = sts("db").getSpec().getTemplate();
    brokerBefore = sts("broker").getSpec().getTemplate();
    proxyBefore = ds("proxy").getSpec().getTemplate();
    cacheBefore = sts("cache").getSpec().getTemplate();
    operator = OperatorProcess.start(cp, "kinds", install.kubeconfig(), Map.of()).awaitReady();
  }

  @AfterAll
  void stop() throws InterruptedException {
    if (operator != null) {
      operator.close();
    }
  }

  private static String policy() {
    return """
        apiVersion: graceful.io/v1alpha1
        kind: GracefulPolicy
        metadata:
          name: web
          namespace: %s
        spec:
          workloads: [StatefulSet, DaemonSet]
          selector:
            matchLabels: {tier: web}
          preStop:
            sleepSeconds: 5
          shutdownSeconds: 10
        """.formatted(NS);
  }

  private StatefulSet sts(String name) {
    return k8s.apps().statefulSets().inNamespace(NS).withName(name).get();
  }

  private DaemonSet ds(String name) {
    return k8s.apps().daemonSets().inNamespace(NS).withName(name).get();
  }

  private static boolean stsReady(StatefulSet s) {
    var st = s.getStatus();
    return st != null && Objects.equals(st.getObservedGeneration(), s.getMetadata().getGeneration())
        && Objects.equals(st.getReadyReplicas(), s.getSpec().getReplicas());
  }

  /** A RollingUpdate StatefulSet's rollout is over: every pod runs the update revision and is ready. */
  private static boolean stsDone(StatefulSet s) {
    var st = s.getStatus();
    return stsReady(s) && Objects.equals(st.getUpdatedReplicas(), s.getSpec().getReplicas())
        && Objects.equals(st.getCurrentRevision(), st.getUpdateRevision());
  }

  private static boolean dsDone(DaemonSet d) {
    var st = d.getStatus();
    return st != null && Objects.equals(st.getObservedGeneration(), d.getMetadata().getGeneration())
        && st.getDesiredNumberScheduled() != null && st.getDesiredNumberScheduled() == 1
        && Objects.equals(st.getUpdatedNumberScheduled(), 1) && Objects.equals(st.getNumberAvailable(), 1);
  }

  private static Long preStopSleep(PodTemplateSpec t) {
    var c = t.getSpec().getContainers().get(0);
    return c.getLifecycle() == null || c.getLifecycle().getPreStop() == null
        || c.getLifecycle().getPreStop().getSleep() == null ? null : c.getLifecycle().getPreStop().getSleep().getSeconds();
  }

  private List<Pod> pods(String app) {
    return k8s.pods().inNamespace(NS).withLabel("app", app).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
  }

  private List<ControllerRevision> revisions(HasMetadata owner) {
    return k8s.apps().controllerRevisions().inNamespace(NS).list().getItems().stream()
        .filter(r -> r.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> Objects.equals(o.getUid(), owner.getMetadata().getUid())))
        .toList();
  }

  private long writes(AuditLogMark mark, String resource, String name) {
    return cp.audit().since(mark.value()).stream().filter(r -> r.resource().equals(resource)
        && name.equals(r.name()) && !List.of("get", "list", "watch").contains(r.verb())).count();
  }

  private record AuditLogMark(int value) {}

  @Test
  void theHookRollsOutWithOneWriteEachAndDeletingThePolicyRestoresEveryTemplateExactly() {
    AuditLogMark mark = new AuditLogMark(cp.audit().mark());
    String dbRevision = sts("db").getStatus().getUpdateRevision();
    String cacheRevision = sts("cache").getStatus().getUpdateRevision();
    int proxyRevisions = revisions(ds("proxy")).size();
    List<String> brokerPods = pods("broker").stream().map(p -> p.getMetadata().getUid()).toList();
    cp.kubectlStdin(policy(), "apply", "-f", "-").orFail();

    await("applied and rolled out").atMost(Duration.ofSeconds(120))
        .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
        .until(() -> Objects.equals(preStopSleep(sts("db").getSpec().getTemplate()), 5L)
            && Objects.equals(preStopSleep(ds("proxy").getSpec().getTemplate()), 5L)
            && Objects.equals(preStopSleep(sts("broker").getSpec().getTemplate()), 5L)
            && stsDone(sts("db")) && !Objects.equals(sts("db").getStatus().getUpdateRevision(), dbRevision)
            && dsDone(ds("proxy"))
            && Objects.equals(preStopSleep(sts("cache").getSpec().getTemplate()), 5L) && stsDone(sts("cache"))
            && !Objects.equals(sts("cache").getStatus().getUpdateRevision(), cacheRevision));
    assertThat(writes(mark, "statefulsets.apps", "db")).as("one write to the StatefulSet").isEqualTo(1);
    assertThat(writes(mark, "statefulsets.apps", "broker")).as("one write to the OnDelete StatefulSet").isEqualTo(1);
    assertThat(writes(mark, "daemonsets.apps", "proxy")).as("one write to the DaemonSet").isEqualTo(1);
    assertThat(writes(mark, "statefulsets.apps", "cache")).as("one write to the Parallel StatefulSet").isEqualTo(1);
    assertThat(revisions(ds("proxy"))).as("a new DaemonSet revision").hasSize(proxyRevisions + 1);
    await("every pod replaced with the hook").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(pods("db")).hasSize(2).allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0)
          .getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(5));
      assertThat(pods("proxy")).hasSize(1).allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0)
          .getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(5));
      assertThat(pods("cache")).hasSize(3).allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0)
          .getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(5));
    });
    // OnDelete: written, nothing restarted, and the status says when it takes effect
    assertThat(pods("broker")).extracting(p -> p.getMetadata().getUid()).containsExactlyElementsOf(brokerPods);
    await("status").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      String entries = cp.kubectl("get", "gp", "-n", NS, "web", "-o", "jsonpath={.status.deployments}").orFail();
      assertThat(entries).contains("broker", "StatefulSet", "AppliesOnNextRestart").doesNotContain("\"db\"",
          "proxy", "cache");
      assertThat(cp.kubectl("get", "gp", "-n", NS, "web", "-o", "jsonpath={.status.applied}").orFail())
          .isEqualTo("4");
    });

    int beforeRevert = cp.audit().mark();
    cp.kubectl("delete", "gp", "-n", NS, "web").orFail();
    await("reverted").atMost(Duration.ofSeconds(120))
        .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
        .untilAsserted(() -> {
          assertThat(sts("db").getSpec().getTemplate()).isEqualTo(dbBefore);
          assertThat(sts("broker").getSpec().getTemplate()).isEqualTo(brokerBefore);
          assertThat(ds("proxy").getSpec().getTemplate()).isEqualTo(proxyBefore);
          assertThat(sts("cache").getSpec().getTemplate()).isEqualTo(cacheBefore);
        });
    AuditLogMark revert = new AuditLogMark(beforeRevert);
    assertThat(writes(revert, "statefulsets.apps", "db")).as("one revert write").isEqualTo(1);
    assertThat(writes(revert, "daemonsets.apps", "proxy")).as("one revert write").isEqualTo(1);
    assertThat(writes(revert, "statefulsets.apps", "cache")).as("one revert write").isEqualTo(1);
    // the rollout annotation stays until the revert's own rollout ended, then goes in one annotation-only write
    await("bookkeeping removed").atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      assertThat(stsDone(sts("db"))).isTrue();
      assertThat(sts("db").getMetadata().getAnnotations().keySet()).noneMatch(k -> k.startsWith("graceful.io/"));
      assertThat(ds("proxy").getMetadata().getAnnotations().keySet()).noneMatch(k -> k.startsWith("graceful.io/"));
    });
    assertThat(writes(revert, "statefulsets.apps", "db")).as("the revert, then the annotation").isEqualTo(2);
    assertThat(sts("db").getSpec().getTemplate()).isEqualTo(dbBefore);
  }
}
