package io.graceful.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two operator replicas electing a leader through a real coordination.k8s.io Lease with the chart's RBAC: only the
 * leader writes; after {@code kill -9} of the leader (no hand-back) the other takes over within the lease duration
 * and finishes the work, and no Deployment is written twice.
 */
class LeaderElectionIT {
  private static final String NS = "e2e-leader";
  /** java-operator-sdk's default lease duration, which the operator uses. */
  private static final Duration LEASE_DURATION = Duration.ofSeconds(15);
  private OperatorProcess a;
  private OperatorProcess b;

  @AfterEach
  void stop() throws InterruptedException {
    for (OperatorProcess p : new OperatorProcess[] {a, b}) {
      if (p != null) {
        p.close();
      }
    }
  }

  @Test
  void theOtherReplicaTakesOverAfterTheLeaderIsKilled() throws InterruptedException {
    ControlPlane cp = ControlPlane.get();
    KubernetesClient k8s = cp.admin();
    OperatorInstall install = OperatorInstall.ensure(cp);
    cp.freshNamespace(NS);
    k8s.leases().inNamespace(OperatorInstall.NAMESPACE).withName(install.lease()).delete();
    Map<String, String> env = Map.of("GRACEFUL_LEADER_ELECTION", "true",
        "GRACEFUL_LEASE_NAMESPACE", OperatorInstall.NAMESPACE, "GRACEFUL_LEASE_NAME", install.lease());
    int mark = cp.audit().mark();
    a = OperatorProcess.start(cp, "leader-a", install.kubeconfig(), env);
    b = OperatorProcess.start(cp, "leader-b", install.kubeconfig(), env);
    await("a leader").atMost(Duration.ofSeconds(60)).until(() -> holder(k8s, install) != null);
    String first = holder(k8s, install);
    OperatorProcess leader = first.equals("leader-a") ? a : b;
    OperatorProcess follower = leader == a ? b : a;

    for (int i = 0; i < 3; i++) {
      cp.kubectlStdin(Manifests.deployment(NS, "before-" + i, 1), "apply", "-f", "-").orFail();
    }
    cp.kubectlStdin(Manifests.policy(NS, "web", 3, 5), "apply", "-f", "-").orFail();
    await("converged by the leader").atMost(Duration.ofSeconds(60)).until(() -> allHooked(k8s, 3));

    leader.kill();
    long killed = System.nanoTime();
    for (int i = 0; i < 3; i++) {
      cp.kubectlStdin(Manifests.deployment(NS, "after-" + i, 1), "apply", "-f", "-").orFail();
    }
    await("the follower took over").atMost(LEASE_DURATION.plusSeconds(30)).pollInterval(Duration.ofMillis(250))
        .until(() -> follower.name().equals(holder(k8s, install)));
    Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
    await("converged by the new leader").atMost(Duration.ofSeconds(60)).until(() -> allHooked(k8s, 6));
    System.out.println("takeover after kill -9 of the leader: " + takeover.toMillis() + " ms");
    assertThat(takeover).isLessThanOrEqualTo(LEASE_DURATION.plusSeconds(5));
    assertThat(follower.isAlive()).isTrue();

    Map<String, Long> writes = cp.audit().since(mark).stream()
        .filter(r -> r.resource().equals("deployments.apps") && r.verb().equals("patch") && r.namespace().equals(NS))
        .collect(Collectors.groupingBy(AuditLog.Request::name, Collectors.counting()));
    assertThat(writes).as("one write per Deployment across both leaders").hasSize(6).allSatisfy((name, count) ->
        assertThat(count).as(name).isEqualTo(1L));
  }

  private static String holder(KubernetesClient k8s, OperatorInstall install) {
    Lease lease = k8s.leases().inNamespace(OperatorInstall.NAMESPACE).withName(install.lease()).get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static boolean allHooked(KubernetesClient k8s, int count) {
    List<io.fabric8.kubernetes.api.model.apps.Deployment> all = k8s.apps().deployments().inNamespace(NS).list()
        .getItems();
    return all.size() == count && all.stream().allMatch(d -> Workloads.hook(d, "web").equals("sleep 3"));
  }
}
