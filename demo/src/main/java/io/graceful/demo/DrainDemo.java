package io.graceful.demo;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The demo's drain measurement step. The embedded API server has no kubelet and no EndpointSlice controller, so the
 * demo writes the history a cluster would produce for four terminating pods of {@code shop/cart} (governed by
 * {@code shop/web}, sleep 10 s): a Service's EndpointSlice routes to them, they are deleted, and the slice lets go
 * of them. Their terminations started 3, 6, 14 and 16 s before the slice let go: each pod carries that many seconds
 * in {@code deletionGracePeriodSeconds}, and the embedded server stamps {@code deletionTimestamp} with the time of
 * the delete (a real API server adds the grace period to it), so the operator, which subtracts the grace period,
 * sees terminations that started that long ago. Two outlast the 10 s sleep.
 */
final class DrainDemo {
  static final String NAMESPACE = "shop";
  static final String DEPLOYMENT = "cart";
  static final String POLICY = "web";
  /** Seconds between each pod's termination start and the moment the slice lets go of it. */
  static final List<Integer> DRAIN_SECONDS = List.of(3, 6, 14, 16);
  private static final String HASH = "7c9d4f5b8";
  private static final String FINALIZER = "demo.graceful.io/hold";

  private DrainDemo() {
  }

  /** Writes the history, waits for the policy's status to count it, and prints what it says (null: timeout). */
  static GenericKubernetesResource run(PrintStream out, KubernetesClient client, Duration timeout)
      throws InterruptedException {
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < DRAIN_SECONDS.size(); i++) {
      pods.add(client.resource(new PodBuilder().withNewMetadata().withNamespace(NAMESPACE)
          .withName(DEPLOYMENT + "-" + HASH + "-" + i).addToLabels("app", DEPLOYMENT)
          .addToLabels("pod-template-hash", HASH).addToFinalizers(FINALIZER)
          .withDeletionGracePeriodSeconds((long) DRAIN_SECONDS.get(i))
          .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName(DEPLOYMENT + "-" + HASH)
          .withUid("demo-rs").withController(true).endOwnerReference().endMetadata()
          .withNewSpec().addNewContainer().withName("app").withImage("nginx:1.27-alpine").withNewLifecycle()
          .withNewPreStop().withNewSleep().withSeconds(10L).endSleep().endPreStop().endLifecycle().endContainer()
          .endSpec().build()).create());
    }
    slice(client, pods, true);
    Thread.sleep(500);
    out.printf("Service %s/%s routes to %d pods of Deployment %s; deleting them%n", NAMESPACE, DEPLOYMENT,
        pods.size(), DEPLOYMENT);
    for (Pod p : pods) {
      client.pods().inNamespace(NAMESPACE).withName(p.getMetadata().getName()).delete();
    }
    slice(client, pods, false);
    out.printf("The EndpointSlice lets go of them %s s after their terminations started%n", DRAIN_SECONDS);

    long deadline = System.nanoTime() + timeout.toNanos();
    GenericKubernetesResource policy = null;
    while (System.nanoTime() < deadline) {
      policy = client.genericKubernetesResources("graceful.io/v1alpha1", "GracefulPolicy").inNamespace(NAMESPACE)
          .withName(POLICY).get();
      if (policy.get("status", "drain", "samples") instanceof Number n && n.intValue() == DRAIN_SECONDS.size()) {
        break;
      }
      Thread.sleep(200);
    }
    for (Pod p : pods) {
      client.pods().inNamespace(NAMESPACE).withName(p.getMetadata().getName())
          .edit(x -> new PodBuilder(x).editMetadata().withFinalizers(List.of()).endMetadata().build());
    }
    if (policy == null || !(policy.get("status", "drain", "samples") instanceof Number n)
        || n.intValue() != DRAIN_SECONDS.size()) {
      out.println("The policy's status did not count the samples within " + timeout.toSeconds() + " s.");
      return null;
    }
    Map<String, Object> drain = policy.get("status", "drain");
    out.printf("kubectl get gp -n %s %s -o jsonpath='{.status.drain}'%n  %s%n", NAMESPACE, POLICY, drain);
    Map<String, Object> sufficient = Tables.condition(policy, "SleepSufficient");
    if (sufficient != null) {
      out.printf("condition SleepSufficient=%s (%s): %s%n", sufficient.get("status"), sufficient.get("reason"),
          sufficient.get("message"));
    }
    return policy;
  }

  private static void slice(KubernetesClient client, List<Pod> pods, boolean ready) {
    EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace(NAMESPACE)
        .withName(DEPLOYMENT + "-x7k2p").addToLabels("kubernetes.io/service-name", DEPLOYMENT).endMetadata()
        .withAddressType("IPv4");
    int ip = 10;
    for (Pod p : pods) {
      b.addToEndpoints(new EndpointBuilder().addToAddresses("10.244.0." + ip++).withNewConditions().withReady(ready)
          .withServing(ready).withTerminating(!ready).endConditions().withNewTargetRef().withKind("Pod")
          .withNamespace(NAMESPACE).withName(p.getMetadata().getName()).withUid(p.getMetadata().getUid())
          .endTargetRef().build());
    }
    client.resource(b.build()).createOr(r -> r.update());
  }
}
