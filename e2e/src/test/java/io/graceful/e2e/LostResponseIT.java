package io.graceful.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.graceful.e2e.LossyProxy.Loss;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Lost responses on the real control plane (issue 8): the operator jar talks to kube-apiserver through
 * {@link LossyProxy}, which forwards everything but keeps back the answer to the operator's first Deployment write
 * after the API server committed it (a {@code 500}, or a connection reset without a byte of answer). What a user
 * would check afterwards: the Deployment was written once (the API server's audit log), rolled out once (one new
 * ReplicaSet), the rollout budget held while the lost write's rollout ran (cap 1, three Deployments: the second must
 * not start before the first finished, sampled at every watch event), and everything converged.
 *
 * <p>Run with the operator as users run it. This test found that fabric8's HTTP client re-sent the PATCH by itself
 * after the lost response (its default request retries); the operator now turns those off (OperatorClient), which
 * leaves the lost response to its own handling: the reconciliation retry plans again from the cache, and the
 * rollout slot of a possibly-landed write is kept. The "off" variant sets {@code KUBERNETES_REQUEST_RETRY_BACKOFFLIMIT=0}
 * explicitly, with a 3 s lag of the operator's watches so that its retry plans from a stale cache.
 */
class LostResponseIT {
  private static final int CAP = 1;
  private static final int COUNT = 3;
  private static final int REPLICAS = 2;
  private static final String HOOK = "sleep 3";
  private static final int MIN_READY = 2;

  private ControlPlane cp;
  private LossyProxy proxy;
  private OperatorProcess operator;
  private volatile SharedIndexInformer<Deployment> watching;

  @AfterEach
  void stop() throws InterruptedException {
    if (watching != null) {
      watching.close();
    }
    if (operator != null) {
      operator.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @ParameterizedTest(name = "response {0}, client retries {1}, watch lag {2} s")
  @CsvSource({"ERROR_500, default, 0", "DROP, default, 0", "DROP, off, 3"})
  void aWriteWhoseResponseIsLostAfterCommitIsNotRepeatedAndKeepsItsRolloutSlot(Loss how, String clientRetries,
      int watchLagSeconds) throws InterruptedException {
    cp = ControlPlane.get();
    KubernetesClient k8s = cp.admin();
    OperatorInstall install = OperatorInstall.ensure(cp);
    String ns = ("e2e-lost-" + how + "-" + clientRetries + (watchLagSeconds > 0 ? "-lag" + watchLagSeconds : ""))
        .toLowerCase(Locale.ROOT).replace('_', '-');
    cp.freshNamespace(ns);
    for (int i = 0; i < COUNT; i++) {
      // new pods count as available only after MIN_READY s: each rollout lasts several seconds, longer than the
      // client's and the operator's retries after the lost response
      cp.kubectlStdin(Manifests.deployment(ns, "app-" + i, REPLICAS).replace("progressDeadlineSeconds: 8",
          "progressDeadlineSeconds: 120\n  minReadySeconds: " + MIN_READY), "apply", "-f", "-").orFail();
    }
    await(ns + " rolled out").atMost(Duration.ofSeconds(120)).until(() -> {
      List<Deployment> all = k8s.apps().deployments().inNamespace(ns).list().getItems();
      return all.size() == COUNT && all.stream().allMatch(Workloads::rolledOut);
    });

    proxy = LossyProxy.start(cp);
    Map<String, String> env = new HashMap<>(Map.of("GRACEFUL_MAX_CONCURRENT_ROLLOUTS", Integer.toString(CAP),
        "GRACEFUL_WATCH_NAMESPACES", ns));
    if (clientRetries.equals("off")) {
      env.put("KUBERNETES_REQUEST_RETRY_BACKOFFLIMIT", "0");
    }
    operator = OperatorProcess.start(cp, "lost-response-" + ns.substring("e2e-lost-".length()),
        proxy.kubeconfig(install.kubeconfig(), cp.state().resolve("operator-lossy.kubeconfig")), env).awaitReady();
    String deployments = "/apis/apps/v1/namespaces/" + ns + "/deployments/";
    proxy.lose((method, path) -> method.equals("PATCH") && path.startsWith(deployments)
        && !path.substring(deployments.length()).contains("/"), how, 1, Duration.ofSeconds(watchLagSeconds));

    // every state the watch shows: operator-caused rollouts in flight (its hook is there, the rollout not done)
    InFlight inFlight = new InFlight();
    watching = k8s.apps().deployments().inNamespace(ns).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Deployment d) {
        onUpdate(null, d);
      }

      @Override
      public void onUpdate(Deployment old, Deployment d) {
        SharedIndexInformer<Deployment> informer = watching; // null during the initial list
        if (informer != null) {
          inFlight.sample(informer.getStore().list(), d);
        }
      }

      @Override
      public void onDelete(Deployment d, boolean unknown) {
      }
    }, 0);
    int mark = cp.audit().mark();
    cp.kubectlStdin(Manifests.policy(ns, "web", 3, 5), "apply", "-f", "-").orFail();

    await("all three written and rolled out").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250))
        .failFast("operator exited:\n" + operator.tail(), () -> !operator.isAlive())
        .until(() -> {
          List<Deployment> all = k8s.apps().deployments().inNamespace(ns).list().getItems();
          inFlight.sample(all, null);
          return all.size() == COUNT && all.stream().allMatch(d -> Workloads.hook(d, "web").equals(HOOK)
              && Workloads.rolledOut(d));
        });
    Thread.sleep(5000); // a late duplicate write would show in the audit log by now
    List<AuditLog.Request> requests = cp.audit().since(mark);
    Map<String, List<Integer>> patches = new TreeMap<>(requests.stream()
        .filter(r -> r.resource().equals("deployments.apps") && r.namespace().equals(ns) && r.verb().equals("patch"))
        .collect(Collectors.groupingBy(AuditLog.Request::name, Collectors.mapping(AuditLog.Request::code,
            Collectors.toList()))));
    List<LossyProxy.Lost> lost = proxy.lost();
    String lostName = lost.isEmpty() ? "?" : lost.get(0).path().substring(deployments.length());
    List<String> failedWrites = operator.log().lines().filter(l -> l.contains("will retry")).map(String::strip)
        .toList();
    String failures = String.join("\n  ", failedWrites);
    System.out.printf("lost response (%s, client retries %s, watch lag %d s): lost %s; Deployment PATCHes in the "
        + "audit log (codes) %s; most operator rollouts in flight at once %d; order %s; operator's failed writes:%n"
        + "  %s%n%s%n", how, clientRetries, watchLagSeconds, lost, patches, inFlight.max, inFlight.writeOrder(),
        failures.isEmpty() ? "(none)" : failures, inFlight.timeline());

    assertThat(lost).as("exactly one response lost, after the API server committed the write").hasSize(1)
        .allSatisfy(l -> assertThat(l.upstreamStatus()).as("what the API server really answered").isEqualTo(200));
    assertThat(operator.isAlive()).isTrue();
    assertThat(inFlight.max).as("operator rollouts in flight at once (cap %d); over the cap: %s", CAP,
        inFlight.overCap).isLessThanOrEqualTo(CAP).isPositive();
    for (int i = 0; i < COUNT; i++) {
      Deployment d = Workloads.deployment(k8s, ns, "app-" + i);
      assertThat(Workloads.replicaSets(k8s, d)).as("ReplicaSets of app-%d: the original and one new one", i)
          .hasSize(2);
    }
    // a second PATCH while the operator logged no failed write is its HTTP client's own retry of the request
    assertThat(patches).as("Deployment writes per name (HTTP codes in the audit log); the response to the first "
        + "PATCH of %s was lost (%s); failed writes the operator logged: %d", lostName, how, failedWrites.size())
        .hasSize(COUNT).allSatisfy((name, codes) ->
            assertThat(codes).as("PATCHes of %s", name).hasSize(1));
    await("policy status caught up").atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(cp.kubectl("get",
        "gp", "-n", ns, "web", "-o", "jsonpath={.status.applied}/{.status.pending}").orFail())
        .isEqualTo(COUNT + "/0"));
  }

  /** Operator rollouts in flight, sampled at every watch event: the most at once, and when each one started. */
  private static final class InFlight {
    private final long start = System.nanoTime();
    private int max;
    private final List<String> overCap = new ArrayList<>();
    private final Map<String, Long> writtenAt = new LinkedHashMap<>();
    private final Map<String, Long> doneAt = new LinkedHashMap<>();
    private final List<String> events = new ArrayList<>();

    synchronized void sample(List<Deployment> all, Deployment changed) {
      long ms = (System.nanoTime() - start) / 1_000_000;
      List<String> rolling = all.stream().filter(d -> Workloads.hook(d, "web").equals(HOOK))
          .filter(d -> !Workloads.rolledOut(d)).map(d -> d.getMetadata().getName()).sorted().toList();
      for (Deployment d : all) {
        String name = d.getMetadata().getName();
        if (Workloads.hook(d, "web").equals(HOOK)) {
          writtenAt.putIfAbsent(name, ms);
          if (Workloads.rolledOut(d)) {
            doneAt.putIfAbsent(name, ms);
          }
        }
      }
      max = Math.max(max, rolling.size());
      if (rolling.size() > CAP) {
        overCap.add("+" + ms + " ms: " + rolling);
      }
      if (changed != null && events.size() < 400) {
        var s = changed.getStatus();
        events.add("+" + ms + " ms " + changed.getMetadata().getName() + " gen "
            + changed.getMetadata().getGeneration() + " observed " + (s == null ? null : s.getObservedGeneration())
            + " updated " + (s == null ? null : s.getUpdatedReplicas())
            + " available " + (s == null ? null : s.getAvailableReplicas())
            + " replicas " + (s == null ? null : s.getReplicas()) + " hook " + Workloads.hook(changed, "web")
            + " in flight " + rolling);
      }
    }

    synchronized String writeOrder() {
      return writtenAt.entrySet().stream().sorted(Map.Entry.comparingByValue(Comparator.naturalOrder()))
          .map(e -> e.getKey() + " written +" + e.getValue() + " ms, rolled out +" + doneAt.get(e.getKey()) + " ms")
          .collect(Collectors.joining("; "));
    }

    synchronized String timeline() {
      return "  " + String.join("\n  ", events);
    }
  }
}
