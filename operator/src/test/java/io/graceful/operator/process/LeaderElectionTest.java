package io.graceful.operator.process;

import static io.graceful.operator.it.Fixtures.container;
import static io.graceful.operator.it.Fixtures.deployment;
import static io.graceful.operator.it.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.graceful.operator.GracefulOperator;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.controller.DecisionListener;
import io.graceful.operator.controller.GracefulPolicyReconciler;
import io.graceful.operator.core.WorkloadPlan;
import io.graceful.operator.it.MockApiServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two operator instances (each with its own client, as two pods would have) against one API server: exactly one
 * holds the Lease and reconciles; when it is closed it hands the Lease back and the other takes over at once
 * (well before the 15 s lease duration would let it).
 */
class LeaderElectionTest {
  private static final String LEASE_NAMESPACE = "graceful-system";
  private static final Map<String, String> WEB = Map.of("tier", "web");

  private MockApiServer api;
  private Instance a;
  private Instance b;

  /** One operator "pod": its client, its operator and what its listeners saw. */
  private static final class Instance implements DecisionListener {
    final String identity;
    final KubernetesClient client;
    final List<String> planned = new CopyOnWriteArrayList<>();
    final List<String> statuses = new CopyOnWriteArrayList<>();
    final GracefulOperator operator;
    boolean closed;

    Instance(MockApiServer api, String identity) {
      this.identity = identity;
      this.client = api.operatorClient();
      GracefulPolicyReconciler.PolicyStatusListener statusListener =
          (p, s) -> statuses.add(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName());
      this.operator = GracefulOperator.start(client,
          OperatorConfig.defaults().withHttpPort(0).withLeaderElection(LEASE_NAMESPACE, identity), this,
          statusListener);
    }

    @Override
    public void planned(WorkloadPlan plan) {
      planned.add(plan.namespace() + "/" + plan.name() + ":" + plan.change());
    }

    boolean planned(String ns, String name) {
      return planned.stream().anyMatch(p -> p.startsWith(ns + "/" + name + ":"));
    }

    void close() {
      if (!closed) {
        closed = true;
        operator.close();
        client.close();
      }
    }
  }

  @AfterEach
  void stop() {
    // operators first: a leader that loses its API server mid-term would exit the JVM (lost Lease)
    for (Instance i : new Instance[] {a, b}) {
      if (i != null) {
        i.close();
      }
    }
    if (api != null) {
      api.close();
    }
  }

  private Lease lease() {
    return api.client().leases().inNamespace(LEASE_NAMESPACE).withName(OperatorConfig.defaults().leaseName()).get();
  }

  private String holder() {
    Lease l = lease();
    return l == null || l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
  }

  private Deployment awaitHook(String ns, String name, long sleep) {
    LifecycleHandler expected = new LifecycleHandlerBuilder().withNewSleep().withSeconds(sleep).endSleep().build();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
      Deployment d = api.client().apps().deployments().inNamespace(ns).withName(name).get();
      return d != null && d.getSpec().getTemplate().getSpec().getContainers().get(0).getLifecycle() != null
          && expected.equals(d.getSpec().getTemplate().getSpec().getContainers().get(0).getLifecycle().getPreStop());
    });
    return api.client().apps().deployments().inNamespace(ns).withName(name).get();
  }

  @Test
  void exactlyOneInstanceLeadsAndReconcilesAndTheOtherTakesOverWhenTheLeaderStops() throws Exception {
    api = new MockApiServer("31");
    KubernetesClient user = api.client();
    user.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(LEASE_NAMESPACE).endMetadata()
        .build()).create();
    a = new Instance(api, "op-a");
    b = new Instance(api, "op-b");

    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
        .until(() -> a.operator.isLeader() || b.operator.isLeader());
    // and it stays exactly one (two leaders would both write)
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .until(() -> a.operator.isLeader() ^ b.operator.isLeader());
    Instance leader = a.operator.isLeader() ? a : b;
    Instance follower = leader == a ? b : a;
    assertThat(holder()).as("the Lease names the leader").isEqualTo(leader.identity);
    assertThat(follower.operator.isReady()).as("a follower is ready (it is a healthy standby)").isTrue();
    assertThat(follower.operator.isLive()).isTrue();

    String ns = "shop";
    user.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    user.resource(deployment(ns, "web", WEB, container("app"))).create();
    user.resource(policy(ns, "web", WEB, 10, 20L)).create();
    awaitHook(ns, "web", 10);
    await().atMost(Duration.ofSeconds(10)).until(() -> leader.planned(ns, "web") && !leader.statuses.isEmpty());
    // give a (wrongly) active follower time to reconcile what the leader's write changed
    Thread.sleep(1500);
    assertThat(follower.planned).as("the follower plans nothing").isEmpty();
    assertThat(follower.statuses).as("the follower computes no policy status").isEmpty();

    // record every holder the Lease goes through: the leader must hand it back ("") before the other takes it
    List<String> holders = new CopyOnWriteArrayList<>();
    Watch watch = user.leases().inNamespace(LEASE_NAMESPACE).withName(OperatorConfig.defaults().leaseName())
        .watch(new Watcher<>() {
          @Override
          public void eventReceived(Action action, Lease lease) {
            holders.add(lease.getSpec() == null || lease.getSpec().getHolderIdentity() == null ? "<null>"
                : lease.getSpec().getHolderIdentity());
          }

          @Override
          public void onClose(WatcherException cause) {
          }
        });
    try {
      long before = System.nanoTime();
      leader.close();
      assertThat(leader.operator.isLeader()).isFalse();
      assertThat(leader.operator.isReady()).as("a closed operator is not ready").isFalse();
      assertThat(holder()).as("right after close() the Lease no longer names the old leader")
          .isNotEqualTo(leader.identity);
      int plannedByOldLeader = leader.planned.size();

      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
          .until(follower.operator::isLeader);
      Duration takeover = Duration.ofNanos(System.nanoTime() - before);
      // without the release the follower waits for the lease duration (15 s) after the last renewal
      assertThat(takeover).as("takeover after a released Lease is quick").isLessThan(Duration.ofSeconds(8));
      await().atMost(Duration.ofSeconds(5)).until(() -> follower.identity.equals(holder()));
      assertThat(holders).as("Lease holders seen by a watch").contains("", follower.identity);
      assertThat(holders.indexOf("")).isLessThan(holders.lastIndexOf(follower.identity));

      user.resource(deployment(ns, "api", WEB, container("app"))).create();
      awaitHook(ns, "api", 10);
      await().atMost(Duration.ofSeconds(10)).until(() -> follower.planned(ns, "api"));
      assertThat(leader.planned).as("the stopped leader does nothing more").hasSize(plannedByOldLeader);
      assertThat(leader.operator.isLeader()).isFalse();
    } finally {
      watch.close();
    }
  }
}
