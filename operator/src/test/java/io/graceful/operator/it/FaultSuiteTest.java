package io.graceful.operator.it;

import static io.graceful.operator.it.Fixtures.container;
import static io.graceful.operator.it.Fixtures.deployment;
import static io.graceful.operator.it.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.graceful.operator.GracefulOperator;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.controller.DecisionListener;
import io.graceful.operator.controller.GracefulPolicyReconciler;
import io.graceful.operator.core.GracefulAnnotations;
import io.graceful.operator.core.WorkloadPlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, fault injection: 30 Deployments in 3 namespaces converge under a rollout cap of 4 while the API server
 * answers a fraction of the operator's writes with 500, 429 and 409, commits some writes and loses their response
 * (a 500 after the commit, or the connection cut after the commit), cuts every connection, the operator is killed
 * (as with -9: its connections are cut and nothing it sends reaches the server any more) and restarted twice, and
 * the API server refuses everything right after the last start. Every ~100 ms the test reads the store and checks:
 * R1 for every hook the operator wrote (and R4 for a kept foreign sleep), an undo record on every Deployment it
 * changed, and never more than 4 of its rollouts at once. Then, faults stopped: convergence to the exact expected
 * hooks and grace periods, an exact revert of every template once the policies are deleted, and no write at idle.
 */
class FaultSuiteTest {
  private static final long SEED = 8;
  private static final int CAP = 4;
  /** How long the fake Deployment controller takes per rollout: convergence lasts through the faults. */
  private static final Duration ROLLOUT = Duration.ofMillis(1_200);
  /**
   * Plans (reconciliations) one Deployment may cost over the whole run. Its own events (policies, its writes, the
   * fake controller's status updates, three starts, retries after faults) come to a few dozen; a busy loop to
   * thousands.
   */
  private static final int MAX_PLANS_PER_DEPLOYMENT = 300;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DEPLOYMENT_PATH =
      Pattern.compile("/apis/apps/v1/namespaces/([^/]+)/deployments/([^/?]+)");

  /** A policy as the test created it: what R1 needs to know about the governing policy. */
  private record Pol(String ns, String name, Map<String, String> labels, long sleep, long shutdown, Long floor,
      Long priority, String action) {}

  /** What a Deployment must look like once converged. */
  private record Expected(String policy, Map<String, Long> sleeps, Long tgps) {}

  private final List<AutoCloseable> closeLast = new ArrayList<>();
  private MockApiServer api;
  private KubernetesClient client;
  private KubernetesSerialization serialization;
  /** ns/name -> the pod template as created (JSON), and each container's original preStop. */
  private final Map<String, JsonNode> originalTemplates = new LinkedHashMap<>();
  private final Map<String, Map<String, LifecycleHandler>> originalHooks = new LinkedHashMap<>();
  private final Map<String, Long> originalTgps = new HashMap<>();
  private final Map<String, Pol> policies = new LinkedHashMap<>();
  private final Map<String, Expected> expected = new LinkedHashMap<>();
  /** First time each distinct violation was seen, with the Deployment as stored then. */
  private final Map<String, String> violations = new ConcurrentSkipListMap<>();
  private final AtomicInteger samples = new AtomicInteger();
  private final Map<String, AtomicInteger> faults = new ConcurrentHashMap<>();
  private final AtomicInteger deploymentPatches = new AtomicInteger();
  /** Deployments the test deleted on the way (names in fault-c). */
  private final List<String> deleted = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** ns/name -> plans made for it by live operator processes. */
  private final Map<String, AtomicInteger> plans = new ConcurrentHashMap<>();

  @AfterEach
  void tearDown() {
    for (int i = closeLast.size() - 1; i >= 0; i--) {
      try {
        closeLast.get(i).close();
      } catch (Exception e) {
        // best effort
      }
    }
  }

  /** One operator process: its own connection to the server, so that it can be cut as a kill -9 would. */
  private final class Instance implements AutoCloseable {
    final TcpProxy network = new TcpProxy(api.port());
    final KubernetesClient operatorClient = api.operatorClient(network.url());
    final GracefulOperator operator;
    volatile boolean alive = true;

    Instance(OperatorConfig config) {
      GracefulOperator started;
      DecisionListener counting = new DecisionListener() {
        @Override
        public void planned(WorkloadPlan plan) {
          if (alive) {
            plans.computeIfAbsent(plan.namespace() + "/" + plan.name(), k -> new AtomicInteger()).incrementAndGet();
          }
        }
      };
      try {
        started = GracefulOperator.start(operatorClient, config.withHttpPort(0), counting,
            GracefulPolicyReconciler.PolicyStatusListener.NONE);
      } catch (RuntimeException e) {
        network.close();
        operatorClient.close();
        throw e;
      }
      operator = started;
    }

    /** kill -9 as the API server sees it: connections cut, nothing more arrives; the JVM leftovers stop later. */
    void kill() {
      alive = false;
      network.close();
      Thread reaper = new Thread(() -> {
        operatorClient.close();
        operator.close();
      }, "reap-killed-operator");
      reaper.setDaemon(true);
      reaper.start();
    }

    @Override
    public void close() {
      alive = false;
      operator.close();
      operatorClient.close();
      network.close();
    }
  }

  @Test
  void convergesUnderFaultsKeepingR1TheUndoRecordAndTheRolloutCapThenRevertsExactlyAndGoesQuiet() throws Exception {
    api = new MockApiServer("31");
    closeLast.add(api);
    client = api.client();
    serialization = client.getKubernetesSerialization();
    createWorld();

    FakeDeploymentController kube = new FakeDeploymentController(client, null, ROLLOUT);
    closeLast.add(kube);
    AtomicInteger maxSeen = new AtomicInteger();
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    closeLast.add(sampler::shutdownNow);
    sampler.scheduleWithFixedDelay(() -> sample(kube, maxSeen), 0, 100, TimeUnit.MILLISECONDS);

    OperatorConfig config = OperatorConfig.defaults().withMaxConcurrentRollouts(CAP, 0)
        .withRetryMaxDelay(Duration.ofSeconds(2));
    AtomicReference<Instance> current = new AtomicReference<>();
    Random random = new Random(SEED);
    Function<MockApiServer.Request, MockResponse> partial = r -> partialFaults(r, random, current);
    int restarts = 0;
    long start = System.nanoTime();

    // faults from the first request on; the operator starts, then the policies arrive
    api.inject(partial);
    current.set(new Instance(config));
    for (Pol p : policies.values()) {
      GracefulPolicy gp = policy(p.ns(), p.name(), p.labels(), p.sleep(), p.shutdown());
      gp.getSpec().setTerminationGracePeriodSeconds(p.floor());
      gp.getSpec().setPriority(p.priority());
      gp.getSpec().getPreStop().setAction(p.action());
      client.resource(gp).create();
    }
    pause(4_000);
    progress("policies created under partial faults");

    // kill -9 mid-convergence, and a new process at once
    current.get().kill();
    count("operator killed (-9)");
    current.set(new Instance(config));
    restarts++;
    closeLast.add(current.get());
    pause(2_000);
    progress("killed, restarted");

    // a person opts one Deployment out while faults go on
    client.apps().deployments().inNamespace("fault-a").withName("a-web-09")
        .edit(d -> {
          d.getMetadata().getAnnotations().put(GracefulAnnotations.ENABLED, "false");
          return d;
        });
    pause(2_000);
    progress("opt-out");

    // a network blip: every connection (watches, requests in flight) cut at once
    current.get().network.dropConnections();
    count("all connections cut");
    pause(2_000);
    progress("connections cut");

    // killed again; the next process starts, and right after it started the API server refuses everything
    current.get().kill();
    count("operator killed (-9)");
    current.set(new Instance(config));
    restarts++;
    closeLast.add(current.get());
    api.inject(r -> counted("outage: 503 on every request", MockApiServer.status(503, "ServiceUnavailable",
        "the server is currently unable to handle the request")));
    current.get().network.dropConnections();
    count("all connections cut");
    pause(3_000);
    progress("killed, restarted into a full outage");
    api.inject(partial);
    pause(3_000);
    progress("partial faults again");
    api.healed();
    long lastFault = System.nanoTime();
    Map<String, Integer> faultsByKind = new java.util.TreeMap<>();
    faults.forEach((k, v) -> faultsByKind.put(k, v.get()));

    // faults stopped: the exact expected state, in bounded time
    // generous: once in a few runs a rollout slot stays taken until a lost write's reservation times out (60 s)
    // after the connection cuts (see the closing note of issue 8); the invariants above hold all the same
    long convergedAt = awaitUntil(Duration.ofSeconds(150), () -> mismatches().isEmpty(), () -> mismatches());
    double convergeSeconds = (convergedAt - lastFault) / 1e9;
    int convergeWrites = operatorDeploymentWrites().size();
    Map<String, Integer> writesPerDeployment = writesPerDeployment();

    // everything reverted once the policies are gone: every template exactly as created
    for (Pol p : policies.values()) {
      client.resources(GracefulPolicy.class).inNamespace(p.ns()).withName(p.name()).delete();
    }
    // while the reverts wait for the settle and for slots, four of them are deleted (one stays behind them in the
    // fair order): a deleted Deployment must not keep a place in the queue
    List<String> gone = client.apps().deployments().inNamespace("fault-c").list().getItems().stream()
        .filter(d -> d.getSpec().getReplicas() > 0).map(d -> d.getMetadata().getName()).sorted().limit(4).toList();
    gone.forEach(n -> client.apps().deployments().inNamespace("fault-c").withName(n).delete());
    deleted.addAll(gone);
    long revertStart = System.nanoTime();
    awaitUntil(Duration.ofSeconds(150), () -> revertMismatches().isEmpty(), this::revertMismatches);
    double revertSeconds = (System.nanoTime() - revertStart) / 1e9;
    // the revert's rollouts end; then nothing more to write, ever
    awaitUntil(Duration.ofSeconds(30), () -> client.apps().deployments().inAnyNamespace().list().getItems().stream()
        .allMatch(FaultSuiteTest::settled), () -> List.of("rollouts still in progress"));
    pause(1_000);
    int beforeIdle = operatorDeploymentWrites().size();
    pause(5_000);
    List<MockApiServer.Request> all = operatorDeploymentWrites();
    List<MockApiServer.Request> idle = all.subList(beforeIdle, all.size());
    sampler.shutdown();
    sampler.awaitTermination(5, TimeUnit.SECONDS);
    // the running operator's own view of its rollout budget at idle (graceful_rollouts_* gauges)
    var registry = current.get().operator.metrics().registry();
    double waitingAtIdle = registry.get("graceful.rollouts.waiting").tag("kind", "Deployment").gauge().value();
    double inFlightAtIdle = registry.get("graceful.rollouts.in.flight").tag("kind", "Deployment").gauge().value();

    int totalWrites = operatorDeploymentWrites().size();
    int maxWrites = writesPerDeployment.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    double avgWrites = writesPerDeployment.values().stream().mapToInt(Integer::intValue).average().orElse(0);
    System.out.printf(java.util.Locale.ROOT, "FAULT-SUITE seed=%d deployments=%d (%d deleted while waiting for a "
            + "revert) cap=%d faults=%s restarts=%d samples=%d maxRolloutsInProgress=%d writesUntilConverged=%d "
            + "writesPerDeploymentUntilConverged(max/avg)=%d/%.2f "
            + "convergedAfterLastFault=%.1fs revert=%.1fs writesTotal=%d idleWrites=%d waitingAtIdle=%.0f "
            + "plansPerDeployment(max/avg)=%d/%.0f "
            + "total=%.0fs%n",
        SEED, originalTemplates.size(), deleted.size(), CAP, faultsByKind, restarts, samples.get(),
        kube.maxInProgress(),
        convergeWrites, maxWrites, avgWrites, convergeSeconds, revertSeconds, totalWrites, idle.size(), waitingAtIdle,
        plans.values().stream().mapToInt(AtomicInteger::get).max().orElse(0),
        plans.values().stream().mapToInt(AtomicInteger::get).average().orElse(0), (System.nanoTime() - start) / 1e9);

    violations.forEach((what, when) -> System.out.println("FAULT-SUITE violation: " + what + " -- " + when));
    // every invariant is checked and reported, not only the first one broken
    org.assertj.core.api.SoftAssertions.assertSoftly(soft -> {
      soft.assertThat(violations).as("invariants broken at some sample (first occurrence of each)").isEmpty();
      soft.assertThat(kube.maxInProgress()).as("operator rollouts in progress at once").isBetween(1, CAP);
      soft.assertThat(samples.get()).as("samples taken").isGreaterThan(100);
      soft.assertThat(idle).as("operator writes to Deployments at idle").isEmpty();
      soft.assertThat(waitingAtIdle).as("Deployments the operator counts as waiting for a rollout slot at idle "
          + "(a deleted Deployment must leave the queue, or it holds a slot for good)").isZero();
      soft.assertThat(inFlightAtIdle).as("rollouts the operator counts in flight at idle").isZero();
      soft.assertThat(deleted).as("Deployments deleted while waiting for a revert").hasSize(4);
      soft.assertThat(plans).as("plans per Deployment over the run (a busy loop shows as thousands)")
          .allSatisfy((d, n) -> assertThat(n.get()).as(d).isLessThanOrEqualTo(MAX_PLANS_PER_DEPLOYMENT));
      soft.assertThat(faultsByKind).as("every kind of fault happened").containsKeys("500", "429", "409",
          "500 after commit", "connection cut after commit", "outage: 503 on every request");
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // the world

  private void createWorld() {
    for (String ns : List.of("fault-a", "fault-b", "fault-c")) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    Map<String, String> web = Map.of("tier", "web");
    Map<String, String> pay = Map.of("team", "pay");
    Map<String, String> svc = Map.of("tier", "svc");
    Map<String, String> batch = Map.of("tier", "batch");
    addPolicy(new Pol("fault-a", "web", web, 10, 25, null, null, null));
    // a-pay-08 is matched by both: pay wins on priority
    addPolicy(new Pol("fault-a", "pay", pay, 20, 20, null, 5L, null));
    addPolicy(new Pol("fault-b", "svc", svc, 5, 30, 45L, null, null));
    addPolicy(new Pol("fault-c", "batch", batch, 8, 40, null, null, "Exec"));

    for (int i = 0; i < 10; i++) {
      String name = String.format("a-web-%02d", i);
      Map<String, String> labels = new HashMap<>(web);
      Container[] containers = {container("app")};
      Long tgps = null;
      String policy = "web";
      if (i == 3) {
        tgps = 60L; // already longer than needed: kept
      }
      if (i == 5) {
        containers = new Container[] {container("app"), container("proxy")};
      }
      if (i == 8) {
        name = "a-pay-08";
        labels.putAll(pay);
        policy = "pay";
      }
      Deployment d = deployment("fault-a", name, labels, containers);
      d.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(tgps);
      d.getMetadata().setAnnotations(new HashMap<>(Map.of("owner", "team-a")));
      Pol p = policies.get("fault-a/" + policy);
      create(d, i == 9 ? null : p, Map.of(), 2);
    }
    for (int i = 0; i < 10; i++) {
      String name = String.format("b-svc-%02d", i);
      Container app = i == 4
          // a foreign hook the operator recognises as a sleep: kept, and the grace period covers it
          ? container("app", new LifecycleHandlerBuilder().withNewExec().withCommand("sh", "-c", "sleep 20")
              .endExec().build())
          : container("app");
      Deployment d = deployment("fault-b", name, svc, app);
      Map<String, String> annotations = new HashMap<>(Map.of("owner", "team-b"));
      if (i == 7) {
        annotations.put(GracefulAnnotations.SLEEP_SECONDS, "25");
      }
      d.getMetadata().setAnnotations(annotations);
      create(d, policies.get("fault-b/svc"), i == 7 ? Map.of("app", 25L) : Map.of(), 2);
    }
    for (int i = 0; i < 10; i++) {
      // no annotations at all: the operator's first write creates the map
      Deployment d = deployment("fault-c", String.format("c-batch-%02d", i), batch, container("worker"));
      create(d, policies.get("fault-c/batch"), Map.of(), i == 2 ? 0 : 1 + i % 3);
    }
  }

  private void addPolicy(Pol p) {
    policies.put(p.ns() + "/" + p.name(), p);
  }

  /** Creates a Deployment with running pods and records what it must look like once converged. */
  private void create(Deployment d, Pol governing, Map<String, Long> sleepOverride, int replicas) {
    d.getSpec().setReplicas(replicas);
    Deployment created = client.resource(d).create();
    created.setStatus(FakeDeploymentController.settled(created));
    client.apps().deployments().inNamespace(created.getMetadata().getNamespace()).resource(created).updateStatus();
    String key = key(created);
    originalTemplates.put(key, tree(created.getSpec().getTemplate()));
    Map<String, LifecycleHandler> hooks = new LinkedHashMap<>();
    for (Container c : created.getSpec().getTemplate().getSpec().getContainers()) {
      hooks.put(c.getName(), preStop(c));
    }
    originalHooks.put(key, hooks);
    Long tgps = created.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
    originalTgps.put(key, tgps);
    if (governing == null) {
      expected.put(key, new Expected(null, Map.of(), tgps));
      return;
    }
    // README "How decisions are made" 3 and 4
    Map<String, Long> sleeps = new LinkedHashMap<>();
    long want = Math.max(tgps == null ? 30 : tgps, governing.floor() == null ? 0 : governing.floor());
    for (Map.Entry<String, LifecycleHandler> h : hooks.entrySet()) {
      long sleep = h.getValue() == null ? sleepOverride.getOrDefault(h.getKey(), governing.sleep())
          : sleepOf(h.getValue());
      if (h.getValue() == null) {
        sleeps.put(h.getKey(), sleep);
      }
      want = Math.max(want, Math.max(sleep + governing.shutdown(), sleep + 1));
    }
    expected.put(key, new Expected(governing.name(), sleeps, want));
  }

  // ---------------------------------------------------------------------------------------------------------
  // faults

  /**
   * What the n-th Deployment PATCH of the operator gets, in a fixed cycle (every kind within the first 16, half of
   * them answered normally): which Deployment draws which depends on timing, the sequence does not.
   */
  private static final String[] PATCH_FAULTS = {"500", null, "429", null, "409", null, "500 after commit", null,
      "500", null, "500 after commit", null, "connection cut after commit", null, "429", null, "409", null, null,
      null};

  private MockResponse partialFaults(MockApiServer.Request r, Random random, AtomicReference<Instance> current) {
    if (r.method().equals("PATCH") && DEPLOYMENT_PATH.matcher(r.path()).find()) {
      String kind = PATCH_FAULTS[Math.floorMod(deploymentPatches.getAndIncrement(), PATCH_FAULTS.length)];
      if (kind == null) {
        return null;
      }
      return counted(kind, switch (kind) {
        case "500" -> MockApiServer.status(500, "InternalError", "etcdserver: request timed out");
        case "429" -> MockApiServer.status(429, "TooManyRequests", "too many requests, please try again later")
            .setHeader("Retry-After", "1");
        case "409" -> MockApiServer.status(409, "Conflict", "Operation cannot be fulfilled on deployments.apps: "
            + "the object has been modified; please apply your changes to the latest version");
        case "500 after commit" -> MockApiServer.afterCommit(() -> MockApiServer.status(500, "InternalError",
            "etcdserver: request timed out, possibly due to previous leader failure"));
        default -> MockApiServer.afterCommit(() -> {
          Instance now = current.get();
          if (now != null) {
            now.network.dropConnections();
          }
          return MockApiServer.status(500, "InternalError", "never delivered: the connection was cut");
        });
      });
    }
    boolean event = r.method().equals("POST") && r.path().contains("/events");
    boolean status = r.method().equals("PATCH") && r.path().contains("/gracefulpolicies/");
    if (event || status) {
      double x;
      synchronized (random) {
        x = random.nextDouble();
      }
      if (x < 0.10) {
        return counted("500 on events and policy status", MockApiServer.status(500, "InternalError",
            "etcdserver: leader changed"));
      }
    }
    return null;
  }

  private MockResponse counted(String kind, MockResponse response) {
    count(kind);
    return response;
  }

  private void count(String kind) {
    faults.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
  }

  // ---------------------------------------------------------------------------------------------------------
  // the invariants, at every sample

  private void sample(FakeDeploymentController kube, AtomicInteger maxSeen) {
    try {
      List<String> rolling = new ArrayList<>();
      for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
        check(d);
        if (!settled(d) && d.getSpec().getReplicas() > 0 && d.getStatus() != null
            && d.getStatus().getReplicas() != null && d.getStatus().getReplicas() > 0) {
          rolling.add(key(d) + "@" + d.getMetadata().getGeneration() + " rollout-annotation="
              + OperatorHarness.annotations(d).get(GracefulAnnotations.ROLLOUT));
        }
      }
      if (rolling.size() > CAP) {
        violations.putIfAbsent("rollout cap: " + rolling.size() + " operator rollouts in the store at once (cap "
            + CAP + ")", "at sample " + samples.get() + ", " + java.time.LocalTime.now() + ": " + rolling);
      }
      int inProgress = kube.maxInProgress();
      if (inProgress > CAP) {
        violations.putIfAbsent("rollout cap: " + inProgress + " operator rollouts at once (cap " + CAP + ")",
            "at sample " + samples.get());
      }
      maxSeen.accumulateAndGet(inProgress, Math::max);
      samples.incrementAndGet();
    } catch (RuntimeException e) {
      violations.putIfAbsent("sampler failed: " + e, String.valueOf(e.getCause()));
    }
  }

  private void check(Deployment d) {
    String key = key(d);
    Map<String, LifecycleHandler> originals = originalHooks.get(key);
    if (originals == null) {
      return;
    }
    Map<String, String> a = OperatorHarness.annotations(d);
    String policyName = a.get(GracefulAnnotations.APPLIED_POLICY);
    boolean record = policyName != null && a.containsKey(GracefulAnnotations.ORIGINAL)
        && a.containsKey(GracefulAnnotations.APPLIED);
    Long tgpsValue = d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
    long tgps = tgpsValue == null ? 30 : tgpsValue;
    JsonNode applied = null;
    if (a.containsKey(GracefulAnnotations.APPLIED)) {
      try {
        applied = JSON.readTree(a.get(GracefulAnnotations.APPLIED));
      } catch (Exception e) {
        violate(d, "unreadable " + GracefulAnnotations.APPLIED + ": " + e.getMessage());
        return;
      }
    }
    if (!Objects.equals(tgpsValue, originalTgps.get(key)) && !record) {
      violate(d, "undo record missing: grace period changed to " + tgpsValue);
    }
    Pol governing = policyName == null ? null : policies.get(d.getMetadata().getNamespace() + "/" + policyName);
    long shutdown = governing == null ? 10 : governing.shutdown();
    String shutdownOverride = a.get(GracefulAnnotations.SHUTDOWN_SECONDS);
    if (shutdownOverride != null) {
      shutdown = Long.parseLong(shutdownOverride);
    }
    for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
      LifecycleHandler now = preStop(c);
      LifecycleHandler before = originals.get(c.getName());
      boolean operatorHook = !Objects.equals(tree(now), tree(before));
      if (operatorHook && !record) {
        violate(d, "undo record missing: container " + c.getName() + " carries a hook the operator wrote");
        continue;
      }
      if (operatorHook && now != null) {
        JsonNode listed = applied.path("containers").get(c.getName());
        if (listed == null || !listed.equals(tree(now))) {
          violate(d, "container " + c.getName() + "'s hook is not the one " + GracefulAnnotations.APPLIED
              + " lists");
        }
        if (governing == null) {
          violate(d, "applied-policy " + policyName + " is not a policy of this test");
          continue;
        }
        long sleep = sleepOf(now);
        if (sleep < 0) {
          violate(d, "container " + c.getName() + " carries an operator hook that is no sleep");
        } else if (!(sleep < tgps && sleep + shutdown <= tgps)) {
          violate(d, "R1: container " + c.getName() + " sleeps " + sleep + " s, shutdown " + shutdown
              + " s, grace period " + tgps + " s");
        }
      } else if (record && now != null && governing != null && sleepOf(now) >= 0) {
        // R4: a kept foreign sleep is covered by the grace period the operator set
        long sleep = sleepOf(now);
        if (!(sleep < tgps && sleep + shutdown <= tgps)) {
          violate(d, "R4: kept foreign sleep of container " + c.getName() + " (" + sleep + " s) + shutdown "
              + shutdown + " s exceeds the grace period " + tgps + " s");
        }
      }
    }
  }

  private void violate(Deployment d, String what) {
    violations.putIfAbsent(key(d) + ": " + what, "at sample " + samples.get() + ", " + java.time.LocalTime.now()
        + ": " + serialization.asJson(d.getMetadata()
        .getAnnotations()) + " template " + serialization.asJson(d.getSpec().getTemplate().getSpec()));
  }

  // ---------------------------------------------------------------------------------------------------------
  // end states

  /** What still differs from the converged state; empty once converged. */
  private List<String> mismatches() {
    List<String> out = new ArrayList<>();
    for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
      String key = key(d);
      Expected want = expected.get(key);
      if (want == null) {
        continue;
      }
      Map<String, String> a = OperatorHarness.annotations(d);
      if (want.policy() == null) {
        if (!tree(d.getSpec().getTemplate()).equals(originalTemplates.get(key))
            || a.containsKey(GracefulAnnotations.APPLIED_POLICY)) {
          out.add(key + ": opted out, not back to its original template");
        }
        continue;
      }
      if (!want.policy().equals(a.get(GracefulAnnotations.APPLIED_POLICY))) {
        out.add(key + ": applied-policy " + a.get(GracefulAnnotations.APPLIED_POLICY) + ", want " + want.policy());
      }
      Long tgps = d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
      if (!Objects.equals(tgps, want.tgps())) {
        out.add(key + ": grace period " + tgps + ", want " + want.tgps());
      }
      for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
        Long sleep = want.sleeps().get(c.getName());
        LifecycleHandler hook = preStop(c);
        if (sleep == null) {
          if (!Objects.equals(tree(hook), tree(originalHooks.get(key).get(c.getName())))) {
            out.add(key + ": container " + c.getName() + "'s own hook changed");
          }
        } else if (hook == null || sleepOf(hook) != sleep) {
          out.add(key + ": container " + c.getName() + " hook " + serialization.asJson(hook) + ", want sleep " + sleep);
        } else if ("fault-c".equals(d.getMetadata().getNamespace()) && hook.getExec() == null) {
          out.add(key + ": container " + c.getName() + " hook is not exec (policy action Exec)");
        }
      }
      if (!settled(d)) {
        out.add(key + ": rollout in progress");
      }
    }
    return out;
  }

  /** What still differs from the templates as created; empty once everything is reverted. */
  private List<String> revertMismatches() {
    List<String> out = new ArrayList<>();
    for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
      String key = key(d);
      JsonNode before = originalTemplates.get(key);
      JsonNode now = tree(d.getSpec().getTemplate());
      if (!now.equals(before)) {
        out.add(key + ": template " + now + " != original " + before);
      }
      List<String> left = OperatorHarness.annotations(d).keySet().stream()
          .filter(GracefulAnnotations.OWNED::contains).toList();
      if (!left.isEmpty() && !left.equals(List.of(GracefulAnnotations.ROLLOUT))) {
        // graceful.io/rollout stays until the revert's rollout ends
        out.add(key + ": operator annotations left " + left);
      }
    }
    return out;
  }

  private static boolean settled(Deployment d) {
    return d.getStatus() != null && d.getStatus().getObservedGeneration() != null
        && d.getStatus().getObservedGeneration() >= d.getMetadata().getGeneration();
  }

  private List<MockApiServer.Request> operatorDeploymentWrites() {
    return api.requests(r -> r.fromOperator() && r.isWrite() && r.path().contains("/deployments"));
  }

  private Map<String, Integer> writesPerDeployment() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    originalTemplates.keySet().forEach(k -> out.put(k, 0));
    for (MockApiServer.Request r : operatorDeploymentWrites()) {
      Matcher m = DEPLOYMENT_PATH.matcher(r.path());
      if (m.find()) {
        out.merge(m.group(1) + "/" + m.group(2), 1, Integer::sum);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------------------
  // helpers

  /** The seconds a hook sleeps (native sleep, exec sleep N, sh -c "sleep N"); -1 if it is no plain sleep. */
  static long sleepOf(LifecycleHandler h) {
    if (h == null) {
      return -1;
    }
    if (h.getSleep() != null) {
      return h.getSleep().getSeconds();
    }
    if (h.getExec() != null && h.getExec().getCommand() != null) {
      List<String> cmd = h.getExec().getCommand();
      if (cmd.size() == 2 && cmd.get(0).matches("(/bin/|/usr/bin/)?sleep")) {
        return Long.parseLong(cmd.get(1));
      }
      if (cmd.size() == 3 && cmd.get(0).matches("(/bin/)?sh") && cmd.get(1).equals("-c")
          && cmd.get(2).trim().matches("sleep \\d+")) {
        return Long.parseLong(cmd.get(2).trim().substring(6));
      }
    }
    return -1;
  }

  private static LifecycleHandler preStop(Container c) {
    return c.getLifecycle() == null ? null : c.getLifecycle().getPreStop();
  }

  private JsonNode tree(Object o) {
    if (o == null) {
      return com.fasterxml.jackson.databind.node.NullNode.getInstance();
    }
    try {
      return JSON.readTree(serialization.asJson(o));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String key(Deployment d) {
    return d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
  }

  /** Prints how far convergence got when a phase ends (the faults must hit a converging operator). */
  private void progress(String phase) {
    long pending = mismatches().stream().map(m -> m.substring(0, m.indexOf(':'))).distinct().count();
    System.out.printf(java.util.Locale.ROOT, "FAULT-SUITE phase '%s' ended: %d of %d Deployments not converged%n",
        phase, pending, expected.size() - deleted.size());
  }

  private static void pause(long millis) throws InterruptedException {
    Thread.sleep(millis);
  }

  /** Polls every 100 ms; returns System.nanoTime() when {@code done} held, fails with {@code why} at the limit. */
  private static long awaitUntil(Duration limit, java.util.function.BooleanSupplier done,
      java.util.function.Supplier<List<String>> why) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (done.getAsBoolean()) {
        return System.nanoTime();
      }
      Thread.sleep(100);
    }
    List<String> left = why.get();
    throw new AssertionError("not done within " + limit.toSeconds() + " s: " + left.size() + " left, e.g. "
        + left.subList(0, Math.min(10, left.size())));
  }
}
