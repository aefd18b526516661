package io.graceful.e2e;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands in for the kubelet and the scheduler, which these machines cannot run: binds every pod to one fake Node,
 * reports it Running and Ready (so Deployments roll out for real: ReplicaSets scale, status is reported, EndpointSlices
 * list the pods), and finishes a pod's deletion shortly after it starts terminating.
 *
 * <p>A pod whose template carries the annotation {@value #NEVER_READY}{@code : "true"} runs but never becomes Ready,
 * and so do pods created in a namespace after {@link #failNewPods}: that is how the tests make a rollout that cannot
 * finish (a new version that never comes up).
 */
final class FakeKubelet implements AutoCloseable {
  static final String NODE = "e2e-node";
  static final String NEVER_READY = "e2e.graceful.io/never-ready";
  static final String KUBELET_VERSION = "v1.37.2";
  private static final Logger LOG = LoggerFactory.getLogger(FakeKubelet.class);
  /** How long a terminating pod lingers before it is gone; real kubelets take up to the grace period. */
  private static final long TERMINATION_MILLIS = Long.getLong("graceful.e2e.terminationMillis", 1000);

  private final KubernetesClient client;
  private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "fake-kubelet");
    t.setDaemon(true);
    return t;
  });
  private final Set<String> terminating = ConcurrentHashMap.newKeySet();
  private final Set<String> failingNamespaces = ConcurrentHashMap.newKeySet();
  private final AtomicInteger nextIp = new AtomicInteger(2);
  private SharedIndexInformer<Pod> informer;

  private FakeKubelet(KubernetesClient client) {
    this.client = client;
  }

  static FakeKubelet start(KubernetesClient client) {
    FakeKubelet kubelet = new FakeKubelet(client);
    kubelet.registerNode();
    kubelet.informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        kubelet.worker.execute(() -> kubelet.sync(pod));
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        kubelet.worker.execute(() -> kubelet.sync(pod));
      }

      @Override
      public void onDelete(Pod pod, boolean unknown) {
        kubelet.terminating.remove(pod.getMetadata().getUid());
      }
    }, 0);
    return kubelet;
  }

  /** From now on, pods that start in {@code namespace} run but never become Ready (a broken new version). */
  void failNewPods(String namespace) {
    failingNamespaces.add(namespace);
  }

  void healNewPods(String namespace) {
    failingNamespaces.remove(namespace);
  }

  private void registerNode() {
    if (client.nodes().withName(NODE).get() == null) {
      client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE)
          .addToLabels("kubernetes.io/hostname", NODE).addToLabels("type", "fake").endMetadata().build()).create();
    }
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    client.nodes().withName(NODE).editStatus(n -> new NodeBuilder(n).editOrNewStatus()
        .withConditions(List.of(new io.fabric8.kubernetes.api.model.NodeConditionBuilder().withType("Ready")
            .withStatus("True").withReason("KubeletReady").withMessage("fake kubelet of the e2e tests")
            .withLastHeartbeatTime(now).withLastTransitionTime(now).build()))
        .withCapacity(Map.of("cpu", new Quantity("1000"), "memory", new Quantity("1Ti"), "pods", new Quantity("100000")))
        .withAllocatable(Map.of("cpu", new Quantity("1000"), "memory", new Quantity("1Ti"), "pods", new Quantity("100000")))
        // what a kubelet of the control plane's release reports: action Auto decides from it
        .withNewNodeInfo().withKubeletVersion(KUBELET_VERSION).withKubeProxyVersion("").withOperatingSystem("linux")
            .withArchitecture("amd64").withContainerRuntimeVersion("fake://0").withOsImage("fake")
            .withKernelVersion("fake").withMachineID("e2e").withSystemUUID("e2e").withBootID("e2e").endNodeInfo()
        .endStatus().build());
    // the API server taints a new Node not-ready; the node lifecycle controller (not run here: it would declare
    // the fake node dead, no kubelet renews its Lease) lifts the taint once the node is Ready. The DaemonSet
    // controller honours it, so without this no DaemonSet pod would ever be placed on the node
    client.nodes().withName(NODE).edit(n -> {
      if (n.getSpec() != null && n.getSpec().getTaints() != null) {
        n.getSpec().setTaints(n.getSpec().getTaints().stream()
            .filter(t -> !"node.kubernetes.io/not-ready".equals(t.getKey())).toList());
      }
      return n;
    });
  }

  private void sync(Pod pod) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    try {
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        if (terminating.add(pod.getMetadata().getUid())) {
          worker.schedule(() -> finish(ns, name), TERMINATION_MILLIS, TimeUnit.MILLISECONDS);
        }
      } else if (pod.getSpec().getNodeName() == null || pod.getSpec().getNodeName().isEmpty()) {
        client.bindings().inNamespace(ns).resource(new BindingBuilder().withNewMetadata().withName(name).endMetadata()
            .withNewTarget().withApiVersion("v1").withKind("Node").withName(NODE).endTarget().build()).create();
      } else if (NODE.equals(pod.getSpec().getNodeName()) && !"Running".equals(phase(pod))) {
        run(ns, name);
      }
    } catch (KubernetesClientException e) {
      // gone or changed meanwhile: the next event brings the pod as it is now
      LOG.debug("fake kubelet: {}/{}: {}", ns, name, e.getMessage());
    }
  }

  private void run(String ns, String name) {
    client.pods().inNamespace(ns).withName(name).editStatus(p -> {
      boolean ready = !"true".equals(p.getMetadata().getAnnotations() == null ? null
          : p.getMetadata().getAnnotations().get(NEVER_READY)) && !failingNamespaces.contains(ns);
      String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
      String ip = "10.244." + (nextIp.get() / 250) + "." + (nextIp.getAndIncrement() % 250 + 2);
      List<ContainerStatus> containers = new ArrayList<>();
      p.getSpec().getContainers().forEach(c -> containers.add(new ContainerStatusBuilder().withName(c.getName())
          .withImage(c.getImage()).withImageID("fake://" + c.getImage()).withContainerID("fake://" + ns + "/" + name)
          .withReady(ready).withStarted(true).withRestartCount(0)
          .withNewState().withNewRunning().withStartedAt(now).endRunning().endState().build()));
      p.getStatus().setPhase("Running");
      p.getStatus().setHostIP("127.0.0.1");
      p.getStatus().setPodIP(ip);
      p.getStatus().setPodIPs(List.of(new io.fabric8.kubernetes.api.model.PodIP(ip)));
      p.getStatus().setStartTime(now);
      p.getStatus().setContainerStatuses(containers);
      p.getStatus().setConditions(List.of(condition("PodScheduled", true, now), condition("Initialized", true, now),
          condition("ContainersReady", ready, now), condition("Ready", ready, now)));
      return p;
    });
  }

  private void finish(String ns, String name) {
    try {
      client.pods().inNamespace(ns).withName(name).withGracePeriod(0).delete();
    } catch (KubernetesClientException e) {
      LOG.debug("fake kubelet: finishing {}/{}: {}", ns, name, e.getMessage());
    }
  }

  private static PodCondition condition(String type, boolean status, String now) {
    return new PodConditionBuilder().withType(type).withStatus(status ? "True" : "False")
        .withLastTransitionTime(now).build();
  }

  private static String phase(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    worker.shutdownNow();
  }
}
