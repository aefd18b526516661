package io.graceful.e2e;

import static io.graceful.e2e.Workloads.deployment;
import static io.graceful.e2e.Workloads.grace;
import static io.graceful.e2e.Workloads.hook;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * GitOps tools re-applying the manifest after the operator changed a Deployment, as Argo CD (server-side apply,
 * field manager argocd-controller), Flux (server-side apply, forced), Helm 3 (three-way merge, manager helm) and
 * plain {@code kubectl apply} (client-side, three-way merge against last-applied-configuration) do it, on a real API
 * server with real managed fields. The
 * README section "GitOps" documents these outcomes; this test is their proof.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GitOpsIT {
  private static final String NS = "e2e-gitops";
  private ControlPlane cp;
  private KubernetesClient k8s;
  private OperatorProcess operator;

  @BeforeAll
  void start() {
    cp = ControlPlane.get();
    k8s = cp.admin();
    OperatorInstall install = OperatorInstall.ensure(cp);
    cp.freshNamespace(NS);
    operator = OperatorProcess.start(cp, "gitops", install.kubeconfig(), Map.of()).awaitReady();
    // sleep 20 + shutdown 20 = 40 > 30: the operator raises the grace period
    cp.kubectlStdin(Manifests.policy(NS, "web", 20, 20), "apply", "-f", "-").orFail();
  }

  @AfterAll
  void stop() throws InterruptedException {
    operator.close();
  }

  /** Argo CD's server-side apply of a manifest that sets neither the hook nor the grace period: nothing to fight. */
  @Test
  void serverSideApplyOfAManifestWithoutTheOperatorsFieldsKeepsThem() {
    String manifest = Manifests.deployment(NS, "argo-app", 1);
    ssa(manifest, "argocd-controller", false).orFail();
    Deployment changed = awaitApplied("argo-app", 40);
    int writes = cp.audit().mark();
    Cli.Result again = ssa(manifest, "argocd-controller", false);
    assertThat(again.ok()).as(again.toString()).isTrue();
    quiet();
    Deployment after = deployment(k8s, NS, "argo-app");
    assertThat(hook(after, "web")).isEqualTo("sleep 20");
    assertThat(grace(after)).isEqualTo(40L);
    assertThat(after.getMetadata().getGeneration()).as("the re-apply changed nothing")
        .isEqualTo(changed.getMetadata().getGeneration());
    assertThat(deploymentWrites(writes)).as("operator writes after the re-apply").isZero();
    assertThat(managers(after)).contains("argocd-controller", "graceful-operator");
  }

  /**
   * A manifest that sets {@code terminationGracePeriodSeconds: 30} (common in Git), applied server-side (Flux's
   * kustomize-controller): the operator does not raise a field the tool would set back; it fits the hook to it
   * (30 - shutdown 20 = sleep 10) and says so in the status. Re-applies, forced or not, then change nothing.
   */
  @Test
  void aGracePeriodSetByServerSideApplyIsRespectedAndTheHookFitted() {
    String manifest = Manifests.deployment(NS, "flux-app", 1, "terminationGracePeriodSeconds: 30");
    ssa(manifest, "kustomize-controller", false).orFail();
    Deployment fitted = awaitHook("flux-app", "sleep 10", 30);
    int mark = cp.audit().mark();
    Cli.Result plain = ssa(manifest, "kustomize-controller", false);
    assertThat(plain.ok()).as("no conflict: the operator never took the field: %s", plain).isTrue();
    ssa(manifest, "kustomize-controller", true).orFail();
    quiet();
    Deployment after = deployment(k8s, NS, "flux-app");
    assertThat(hook(after, "web")).isEqualTo("sleep 10");
    assertThat(grace(after)).isEqualTo(30L);
    assertThat(after.getMetadata().getGeneration()).isEqualTo(fitted.getMetadata().getGeneration());
    assertThat(deploymentWrites(mark)).isZero();
    assertThat(Workloads.replicaSets(k8s, after)).as("one rollout in all").hasSize(2);
    String events = cp.kubectl("get", "events", "-n", NS, "--field-selector", "involvedObject.name=flux-app", "-o",
        "custom-columns=R:.reason", "--no-headers").orFail();
    assertThat(events).doesNotContain("HookReapplied", "FightingAnotherController");
    String status = cp.kubectl("get", "gp", "-n", NS, "web", "-o", "jsonpath={.status.deployments}").orFail();
    assertThat(status).contains("flux-app", "ShortenedForGitOps", "kustomize-controller");
  }

  /**
   * Client-side {@code kubectl apply}: a three-way merge that sends every field of the manifest whose live value
   * differs. A manifest without the grace period: the operator raises it and the next apply keeps it. A manifest
   * with it (recorded in last-applied-configuration): fitted, as for server-side apply.
   */
  @Test
  void clientSideApplyKeepsTheOperatorsFieldsOrGetsAFittedHook() {
    String withoutGrace = Manifests.deployment(NS, "kubectl-app", 1);
    cp.kubectlStdin(withoutGrace, "apply", "-f", "-").orFail();
    Deployment changed = awaitHook("kubectl-app", "sleep 20", 40);
    int mark = cp.audit().mark();
    cp.kubectlStdin(withoutGrace, "apply", "-f", "-").orFail();
    quiet();
    Deployment after = deployment(k8s, NS, "kubectl-app");
    assertThat(grace(after)).isEqualTo(40L);
    assertThat(hook(after, "web")).isEqualTo("sleep 20");
    assertThat(after.getMetadata().getGeneration()).isEqualTo(changed.getMetadata().getGeneration());
    assertThat(deploymentWrites(mark)).isZero();

    String withGrace = Manifests.deployment(NS, "kubectl-grace", 1, "terminationGracePeriodSeconds: 30");
    cp.kubectlStdin(withGrace, "apply", "-f", "-").orFail();
    long generation = awaitHook("kubectl-grace", "sleep 10", 30).getMetadata().getGeneration();
    int mark2 = cp.audit().mark();
    cp.kubectlStdin(withGrace, "apply", "-f", "-").orFail();
    quiet();
    assertThat(deployment(k8s, NS, "kubectl-grace").getMetadata().getGeneration()).isEqualTo(generation);
    assertThat(deploymentWrites(mark2)).isZero();
  }

  /**
   * Helm 3 (field manager {@code helm}, Update operations, a three-way merge against the previous release): it
   * leaves no trace of what its chart sets until it sets a field back. The first install gets the full sleep and a
   * raised grace period; the {@code helm upgrade} that resets the grace period to the chart's 30 is answered once,
   * with a hook fitted to 30, and later upgrades change nothing: no fight, no Conflict.
   */
  @Test
  void helmUpgradeThatSetsTheGracePeriodBackGetsAFittedHookNotAFight() {
    String chart = "e2e/src/test/resources/charts/web-app";
    cp.helm("install", "helm-app", chart, "-n", NS).orFail();
    awaitHook("helm-app", "sleep 20", 40);
    cp.helm("upgrade", "helm-app", chart, "-n", NS, "--set", "image=nginx:1.27.1-alpine").orFail();
    Deployment fitted = awaitHook("helm-app", "sleep 10", 30);
    int mark = cp.audit().mark();
    cp.helm("upgrade", "helm-app", chart, "-n", NS, "--set", "image=nginx:1.27.2-alpine").orFail();
    quiet();
    Deployment after = deployment(k8s, NS, "helm-app");
    assertThat(hook(after, "web")).isEqualTo("sleep 10");
    assertThat(grace(after)).isEqualTo(30L);
    assertThat(after.getMetadata().getAnnotations()).doesNotContainKey("graceful.io/reapplied");
    assertThat(deploymentWrites(mark)).as("the second upgrade is not answered").isZero();
    assertThat(fitted.getMetadata().getAnnotations()).doesNotContainKey("graceful.io/reapplied");
  }

  private Cli.Result ssa(String manifest, String manager, boolean force) {
    return force
        ? cp.kubectlStdin(manifest, "apply", "--server-side", "--field-manager=" + manager, "--force-conflicts",
            "-f", "-")
        : cp.kubectlStdin(manifest, "apply", "--server-side", "--field-manager=" + manager, "-f", "-");
  }

  private Deployment awaitApplied(String name, long grace) {
    return awaitHook(name, "sleep 20", grace);
  }

  private Deployment awaitHook(String name, String hook, long grace) {
    await(name + " with " + hook + " and grace " + grace).atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
        .until(() -> {
          Deployment d = deployment(k8s, NS, name);
          return d != null && hook(d, "web").equals(hook) && grace(d) != null && grace(d) == grace;
        });
    return deployment(k8s, NS, name);
  }

  private long deploymentWrites(int mark) {
    return cp.audit().since(mark).stream().filter(r -> r.resource().equals("deployments.apps"))
        .filter(r -> !List.of("get", "list", "watch").contains(r.verb())).count();
  }

  private static List<String> managers(Deployment d) {
    return d.getMetadata().getManagedFields().stream().map(m -> m.getManager()).toList();
  }

  /** Long enough for the operator to have reacted to the last change (settle time plus a reconciliation). */
  private static void quiet() {
    try {
      Thread.sleep(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
