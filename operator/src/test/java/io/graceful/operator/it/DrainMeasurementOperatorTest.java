package io.graceful.operator.it;

import static io.graceful.operator.it.Fixtures.container;
import static io.graceful.operator.it.Fixtures.deployment;
import static io.graceful.operator.it.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.api.v1alpha1.PolicyCondition;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.runtime.Exposition;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Drain measurement against the mock API server, fed synthetic pod and EndpointSlice histories (the mock has no
 * controllers): a fast drain, a slow one that outlasts the sleep, a pod behind two Services, a pod that never leaves
 * routing, and a pod of a workload no policy governs. Asserts the policy status, the metrics and the Event.
 */
class DrainMeasurementOperatorTest {
  private static final Map<String, String> WEB = Map.of("tier", "web");
  private static OperatorHarness h;

  @BeforeAll
  static void start() {
    h = new OperatorHarness("31", OperatorConfig.defaults()
        .withDrain(new OperatorConfig.DrainMeasurement(true, Duration.ofHours(1), 3)));
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  /** A running pod of Deployment {@code owner} (through its ReplicaSet), as the API server would hold it. */
  private static Pod pod(String ns, String name, String owner) {
    return h.client.resource(new PodBuilder().withNewMetadata().withNamespace(ns).withName(name)
        .addToLabels("pod-template-hash", "5f6d7c").addToFinalizers("example.com/hold")
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName(owner + "-5f6d7c")
        .withUid("rs-" + owner).withController(true).endOwnerReference().endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("app:1").withNewLifecycle().withNewPreStop()
        .withNewSleep().withSeconds(3L).endSleep().endPreStop().endLifecycle().endContainer().endSpec()
        .build()).create();
  }

  /** A slice of Service {@code service} routing to the pods (ready true, or false when listed in notReady). */
  private static void slice(String ns, String service, Map<Pod, Boolean> pods) {
    EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace(ns)
        .withName(service + "-abcde").addToLabels("kubernetes.io/service-name", service).endMetadata()
        .withAddressType("IPv4");
    int ip = 1;
    for (Map.Entry<Pod, Boolean> e : pods.entrySet()) {
      Pod p = e.getKey();
      b.addToEndpoints(new EndpointBuilder().addToAddresses("10.0.0." + ip++).withNewConditions()
          .withReady(e.getValue()).withServing(true).endConditions().withNewTargetRef().withKind("Pod")
          .withNamespace(ns).withName(p.getMetadata().getName()).withUid(p.getMetadata().getUid()).endTargetRef()
          .build());
    }
    EndpointSlice s = b.build();
    h.client.resource(s).createOr(r -> r.update());
  }

  /**
   * Deletes the pods; their finalizer keeps them terminating. The mock sets {@code deletionTimestamp} to the time of
   * the request and no {@code deletionGracePeriodSeconds} (a real API server adds the grace period to it, which
   * drain measurement subtracts: DrainMeasurementIT covers that), so the termination starts now.
   */
  private static void terminate(Pod... pods) {
    for (Pod pod : pods) {
      h.client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
    }
  }

  private static Map<Pod, Boolean> ready(Object... podAndReady) {
    Map<Pod, Boolean> out = new LinkedHashMap<>();
    for (int i = 0; i < podAndReady.length; i += 2) {
      out.put((Pod) podAndReady[i], (Boolean) podAndReady[i + 1]);
    }
    return out;
  }

  private static PolicyCondition sufficient(GracefulPolicy p) {
    return p.getStatus().getConditions().stream().filter(c -> c.getType().equals("SleepSufficient")).findFirst()
        .orElse(null);
  }

  @Test
  void fastSlowSeveralServicesAndNeverRemovedPodsMakeTheStatusTheMetricsAndTheEvent() throws Exception {
    String ns = h.newNamespace("drain");
    h.client.resource(deployment(ns, "web", WEB, container("app"))).create();
    h.client.resource(deployment(ns, "batch", Map.of("tier", "batch"), container("app"))).create();
    h.client.resource(policy(ns, "web", WEB, 3, 10L)).create();
    GracefulPolicy converged = h.awaitConverged(ns, "web");
    assertThat(sufficient(converged).getStatus()).isEqualTo("Unknown");
    assertThat(converged.getStatus().getDrain().getSamples()).isZero();
    assertThat(converged.getStatus().getDrain().getWindow()).isEqualTo("1h");

    Pod fast = pod(ns, "web-fast", "web");
    Pod slow = pod(ns, "web-slow", "web");
    Pod twoServices = pod(ns, "web-two", "web");
    Pod stuck = pod(ns, "web-stuck", "web");
    Pod ungoverned = pod(ns, "batch-1", "batch");
    slice(ns, "web", ready(fast, true, slow, true, twoServices, true, stuck, true));
    slice(ns, "web-admin", ready(twoServices, true));
    slice(ns, "batch", ready(ungoverned, true));
    Thread.sleep(500); // the informers see the routed pods first, as on a cluster

    // every termination starts now; routing lets go of each pod at its own pace (sleep 3 s)
    terminate(fast, slow, twoServices, stuck, ungoverned);
    // fast: at once; two Services: the first slice at once, the second after 1 s
    slice(ns, "web", ready(fast, false, slow, true, twoServices, false, stuck, true));
    slice(ns, "batch", ready());
    Thread.sleep(1_000);
    // web-two is still routed by web-admin: one sample so far, a second later
    h.awaitPolicy(ns, "web", p -> p.getStatus().getDrain().getSamples() == 1);
    slice(ns, "web-admin", ready());
    // slow: 4.5 s, after the 3 s sleep ended: unsafe; stuck: never let go, no sample
    Thread.sleep(3_500);
    slice(ns, "web", ready(fast, false, slow, false, stuck, true));

    GracefulPolicy measured = h.awaitPolicy(ns, "web", p -> p.getStatus().getDrain().getSamples() == 3);
    var drain = measured.getStatus().getDrain();
    assertThat(drain.getUnsafeTerminations()).isEqualTo(1);
    assertThat(drain.getP50Seconds()).isBetween(1.0, 2.9);
    assertThat(drain.getMaxSeconds()).isBetween(4.5, 7.0);
    assertThat(drain.getP99Seconds()).isEqualTo(drain.getMaxSeconds());
    assertThat(drain.getRecommendedSleepSeconds()).isBetween(7L, 9L);
    PolicyCondition c = sufficient(measured);
    assertThat(c.getStatus()).isEqualTo("False");
    assertThat(c.getReason()).isEqualTo("UnsafeTerminations");
    assertThat(c.getMessage()).contains("sleep 3 s is shorter than the drain", "over 3 samples", "1 unsafe",
        "recommended sleep");
    await().atMost(Duration.ofSeconds(10)).until(() -> h.events(ns, "web").stream()
        .anyMatch(e -> "SleepInsufficient".equals(e.getReason()) && e.getMessage().contains("1 unsafe")));

    String scrape = h.operator.metrics().registry().scrape();
    assertThat(scrape).contains("graceful_drain_seconds_count{namespace=\"" + ns + "\",policy=\"web\"} 3")
        .contains("graceful_unsafe_terminations_total{namespace=\"" + ns + "\",policy=\"web\"} 1")
        .doesNotContain("policy=\"batch\"");
    Exposition.assertEveryFamilyHasHelp(scrape);

    // nothing changes: no further status write
    int writes = h.api.requests(r -> r.isWrite() && r.path().contains("/namespaces/" + ns + "/gracefulpolicies/web/status"))
        .size();
    Thread.sleep(1_500);
    assertThat(h.api.requests(r -> r.isWrite() && r.path().contains("/namespaces/" + ns
        + "/gracefulpolicies/web/status"))).hasSize(writes);
    assertThat(h.policy(ns, "web").getStatus().getDrain().getSamples()).isEqualTo(3);
  }

  private static long hookSleep(io.fabric8.kubernetes.api.model.apps.Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0).getLifecycle().getPreStop().getSleep()
        .getSeconds();
  }

  /** Terminates the pods at once and lets routing go of them after {@code drainMillis}. */
  private static void drain(String ns, long drainMillis, Pod... pods) throws InterruptedException {
    Map<Pod, Boolean> routed = new LinkedHashMap<>();
    Map<Pod, Boolean> gone = new LinkedHashMap<>();
    for (Pod p : pods) {
      routed.put(p, true);
      gone.put(p, false);
    }
    slice(ns, "tuned", routed);
    Thread.sleep(500); // the informers see the routed pods first, as on a cluster
    terminate(pods);
    Thread.sleep(drainMillis);
    slice(ns, "tuned", gone);
  }

  @Test
  void tuneModeAutoWritesTheRecommendedSleepOnceWithAnEventAndHoldsTheNextChangeForAWindow() throws Exception {
    String ns = h.newNamespace("tune");
    h.client.resource(deployment(ns, "web", WEB, container("app"))).create();
    GracefulPolicy p = policy(ns, "web", WEB, 3, 0L);
    io.graceful.operator.api.v1alpha1.SleepTuning tune = new io.graceful.operator.api.v1alpha1.SleepTuning();
    tune.setMode("Auto");
    tune.setMarginSeconds(2L);
    tune.setMaxSeconds(30L);
    p.getSpec().getPreStop().setTune(tune);
    h.client.resource(p).create();
    h.awaitConverged(ns, "web");
    assertThat(hookSleep(h.deployment(ns, "web"))).isEqualTo(3);
    assertThat(h.deploymentWrites(ns)).hasSize(1);
    assertThat(h.policy(ns, "web").getStatus().getDrain().getTunedSleepSeconds()).isNull();

    // three terminations (the minimum) drained in about 1.5 s: p99 + 2 s margin, rounded up
    drain(ns, 1_500, pod(ns, "web-a", "web"), pod(ns, "web-b", "web"), pod(ns, "web-c", "web"));
    GracefulPolicy tuned = h.awaitPolicy(ns, "web", x -> x.getStatus().getDrain().getTunedSleepSeconds() != null);
    var drain = tuned.getStatus().getDrain();
    assertThat(drain.getSamples()).isEqualTo(3);
    assertThat(drain.getTunedSleepSeconds()).isEqualTo(drain.getRecommendedSleepSeconds()).isBetween(4L, 6L);
    assertThat(drain.getLastTunedTime()).isNotNull();
    long sleep = drain.getTunedSleepSeconds();
    h.awaitDeployment(ns, "web", d -> hookSleep(d) == sleep);
    assertThat(h.deploymentWrites(ns)).hasSize(2); // the tuned sleep and the grace period it needs: one write
    await().atMost(Duration.ofSeconds(10)).until(() -> h.events(ns, "web").stream()
        .anyMatch(e -> "SleepTuned".equals(e.getReason())
            && e.getMessage().startsWith("sleep 3 s -> " + sleep + " s: p99 ")));
    assertThat(h.awaitConverged(ns, "web").getStatus().getConditions()).anyMatch(c -> c.getType().equals("Ready"));

    // a slower drain inside the window: the recommendation moves, the sleep does not
    drain(ns, 4_500, pod(ns, "web-d", "web"), pod(ns, "web-e", "web"), pod(ns, "web-f", "web"));
    GracefulPolicy held = h.awaitPolicy(ns, "web", x -> x.getStatus().getDrain().getSamples() == 6
        && x.getStatus().getDrain().getRecommendedSleepSeconds() > sleep);
    assertThat(held.getStatus().getDrain().getTunedSleepSeconds()).isEqualTo(sleep);
    assertThat(held.getStatus().getDrain().getLastTunedTime()).isEqualTo(drain.getLastTunedTime());
    Thread.sleep(1_500);
    assertThat(hookSleep(h.deployment(ns, "web"))).isEqualTo(sleep);
    assertThat(h.deploymentWrites(ns)).hasSize(2);
    assertThat(h.events(ns, "web")).filteredOn(e -> "SleepTuned".equals(e.getReason())).hasSize(1);
  }

  private static io.graceful.operator.api.v1alpha1.GovernedDeployment listed(GracefulPolicy p, String name) {
    return p.getStatus().getDeployments().stream().filter(g -> g.getName().equals(name)).findFirst().orElse(null);
  }

  @Test
  void aServiceOrIngressWithAKnownLoadBalancerAnnotationWarnsWhenTheSleepIsBelowItsFloorOnce() throws Exception {
    String ns = h.newNamespace("floor");
    h.client.resource(deployment(ns, "web", WEB, container("app"))).create();
    h.client.resource(deployment(ns, "api", Map.of("tier", "web"), container("app"))).create();
    h.client.resource(policy(ns, "web", WEB, 10, 0L)).create();
    h.awaitConverged(ns, "web");
    // an NLB Service in front of web's pods (selector app=web), a plain Service and an nginx Ingress in front of api
    h.client.resource(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata().withNamespace(ns)
        .withName("web-nlb").addToAnnotations("service.beta.kubernetes.io/aws-load-balancer-target-group-attributes",
            "deregistration_delay.timeout_seconds=30").endMetadata().withNewSpec().addToSelector("app", "web")
        .addNewPort().withPort(80).endPort().endSpec().build()).create();
    h.client.resource(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata().withNamespace(ns)
        .withName("api").endMetadata().withNewSpec().addToSelector("app", "api").addNewPort().withPort(80).endPort()
        .endSpec().build()).create();
    h.client.resource(new io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder().withNewMetadata()
        .withNamespace(ns).withName("shop").endMetadata().withNewSpec().withIngressClassName("nginx")
        .withNewDefaultBackend().withNewService().withName("api").withNewPort().withNumber(80).endPort().endService()
        .endDefaultBackend().endSpec().build()).create();

    GracefulPolicy warned = h.awaitPolicy(ns, "web", p -> listed(p, "web") != null
        && "BelowLoadBalancerFloor".equals(listed(p, "web").getReason()));
    var web = listed(warned, "web");
    assertThat(web.getState()).isEqualTo(io.graceful.operator.api.v1alpha1.DeploymentState.Applied);
    assertThat(web.getMessage()).contains("Deployment web sleeps 10 s, below the 120 s reported minimum",
        "AWS NLB target group of Service web-nlb (deregistration_delay.timeout_seconds=30)");
    // api's nginx floor (5 s) is below its 10 s sleep: not listed for it
    assertThat(listed(warned, "api")).isNull();
    await().atMost(Duration.ofSeconds(10)).until(() -> h.events(ns, "web").stream()
        .anyMatch(e -> "BelowLoadBalancerFloor".equals(e.getReason()) && e.getMessage().contains("web-nlb")));

    // api's Service gets GKE's BackendConfig: api is listed too; web's Event is not repeated
    h.client.services().inNamespace(ns).withName("api").edit(s -> {
      s.getMetadata().setAnnotations(Map.of("cloud.google.com/backend-config", "{\"default\": \"api\"}"));
      return s;
    });
    GracefulPolicy both = h.awaitPolicy(ns, "web", p -> listed(p, "api") != null);
    assertThat(listed(both, "api").getMessage()).contains("GKE BackendConfig of Service api");
    Thread.sleep(1_000);
    assertThat(h.events(ns, "web")).filteredOn(e -> "BelowLoadBalancerFloor".equals(e.getReason()))
        .extracting(e -> e.getMessage().contains("web-nlb") ? "web" : "api").containsExactlyInAnyOrder("web", "api");

    // the NLB goes away: web is no longer listed
    h.client.services().inNamespace(ns).withName("web-nlb").delete();
    h.awaitPolicy(ns, "web", p -> listed(p, "web") == null);
  }
}
