package io.graceful.operator.runtime;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.core.KubeVersion;
import io.graceful.operator.core.NativeSleepDecision;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what action {@code Auto} means, and keeps deciding: with {@code GRACEFUL_NATIVE_SLEEP=auto} it watches the
 * Nodes (an informer keeping only names and kubelet versions) and asks the pure
 * {@link NativeSleepDecision#decide} on every change of a kubelet version or of the set of nodes. When the operator
 * may not list Nodes (403: a namespaced install without {@code rbac.readNodes}), it logs that once and the API
 * server version decides, as the status says ({@code NodesNotReadable}).
 *
 * <p>Listeners hear every change of the decision (including its message); the glue re-plans every Deployment when
 * the plans change ({@link NativeSleepDecision#plansDifferFrom}), and recomputes the policies' status otherwise.
 */
public final class NativeSleepDetector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NativeSleepDetector.class);
  private static final int ATTEMPTS = 5;

  private final KubernetesClient client;
  private final Optional<KubeVersion> apiServer;
  private final List<BiConsumer<NativeSleepDecision, NativeSleepDecision>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean forbiddenLogged = new AtomicBoolean();
  private volatile SharedIndexInformer<Node> nodes;
  private volatile NativeSleepDecision.Nodes visibility = NativeSleepDecision.Nodes.NOT_LISTED;
  private volatile NativeSleepDecision current;
  /** Before the controllers start, changes are silent: nothing was planned yet. */
  private volatile boolean started;

  private NativeSleepDetector(KubernetesClient client, Optional<KubeVersion> apiServer, NativeSleepDecision first) {
    this.client = client;
    this.apiServer = apiServer;
    this.current = first;
  }

  /** A fixed decision (tests, and {@code GRACEFUL_NATIVE_SLEEP=true|false}). */
  public static NativeSleepDetector fixed(NativeSleepDecision decision) {
    return new NativeSleepDetector(null, Optional.empty(), decision);
  }

  /**
   * Decides before the controllers start. With {@code auto}, reads the API server version and lists the Nodes,
   * waiting up to {@code syncTimeout} for the list (meanwhile, and if it never comes, the API server version
   * decides; the informer keeps retrying and a later list changes the decision).
   */
  public static NativeSleepDetector start(KubernetesClient client, OperatorConfig.NativeSleepSupport setting,
      Duration syncTimeout) {
    if (setting != OperatorConfig.NativeSleepSupport.AUTO) {
      NativeSleepDecision d = NativeSleepDecision.forced(setting == OperatorConfig.NativeSleepSupport.TRUE);
      LOG.info("action Auto: {}", d.message());
      return fixed(d);
    }
    Optional<KubeVersion> server = apiServerVersion(client);
    NativeSleepDetector detector = new NativeSleepDetector(client, server,
        NativeSleepDecision.decide(List.of(), server, NativeSleepDecision.Nodes.NOT_LISTED));
    detector.watchNodes(syncTimeout);
    detector.started = true;
    LOG.info("action Auto: {} ({})", detector.current.message(), detector.current.reason());
    return detector;
  }

  /** The decision now. */
  public NativeSleepDecision current() {
    return current;
  }

  /** Called with (before, after) whenever the decision changes. */
  public void onChange(BiConsumer<NativeSleepDecision, NativeSleepDecision> listener) {
    listeners.add(listener);
  }

  private static Optional<KubeVersion> apiServerVersion(KubernetesClient client) {
    RuntimeException last = null;
    // a passing failure must not pin the whole process to exec hooks (which fail on distroless images)
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        VersionInfo version = client.getKubernetesVersion();
        Optional<KubeVersion> v = KubeVersion.of(version.getMajor(), version.getMinor());
        LOG.info("API server {}.{} ({})", version.getMajor(), version.getMinor(), version.getGitVersion());
        return v;
      } catch (RuntimeException e) {
        last = e;
        pause(attempt);
      }
    }
    LOG.warn("could not read the API server version after {} attempts ({}); without nodes to look at, action Auto "
        + "uses exec sleep. Set GRACEFUL_NATIVE_SLEEP=true to use the native sleep action regardless", ATTEMPTS,
        last.getMessage());
    return Optional.empty();
  }

  private void watchNodes(Duration syncTimeout) {
    try {
      // one small request tells a missing grant apart, without an informer that logs a stack trace and stops
      client.nodes().list(new ListOptionsBuilder().withLimit(1L).build());
    } catch (KubernetesClientException e) {
      if (forbidden(e)) {
        notReadable();
        return;
      }
      // anything else: the informer retries
    }
    SharedIndexInformer<Node> informer = client.nodes().runnableInformer(0);
    informer.itemStore(new PrunedNodeStore());
    informer.exceptionHandler((running, t) -> {
      if (!running && forbidden(t)) {
        return false;
      }
      // as fabric8's default once running; before, keep trying (the API server version decides meanwhile)
      return !running || !(t instanceof WatcherException);
    });
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node node) {
        changed();
      }

      @Override
      public void onUpdate(Node before, Node after) {
        // heartbeats and status updates every few seconds: only a kubelet version change can change the decision
        if (!Objects.equals(PrunedNodeStore.kubeletVersion(before), PrunedNodeStore.kubeletVersion(after))) {
          changed();
        }
      }

      @Override
      public void onDelete(Node node, boolean deletedFinalStateUnknown) {
        changed();
      }
    });
    nodes = informer;
    try {
      informer.start().toCompletableFuture().get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
      visibility = NativeSleepDecision.Nodes.READABLE;
    } catch (ExecutionException e) {
      if (forbidden(e.getCause())) {
        notReadable();
      } else {
        LOG.warn("listing nodes failed ({}); the API server version decides until it succeeds",
            e.getCause() == null ? e : e.getCause().getMessage());
      }
    } catch (TimeoutException e) {
      LOG.warn("nodes not listed within {} s; the API server version decides until they are", syncTimeout.toSeconds());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    changed();
  }

  private void notReadable() {
    visibility = NativeSleepDecision.Nodes.FORBIDDEN;
    current = NativeSleepDecision.decide(List.of(), apiServer, visibility);
    if (forbiddenLogged.compareAndSet(false, true)) {
      LOG.warn("the operator may not list nodes (403): action Auto follows the API server version, which may be "
          + "ahead of old kubelets that ignore the native sleep action. Grant get/list/watch on nodes (chart value "
          + "rbac.readNodes=true) to decide from the kubelets");
    }
  }

  private static boolean forbidden(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof KubernetesClientException k && k.getCode() == 403) {
        return true;
      }
    }
    return false;
  }

  /** Recomputes from the node cache; synchronized so that listeners see changes in order. */
  private synchronized void changed() {
    SharedIndexInformer<Node> informer = nodes;
    if (informer == null) {
      return;
    }
    if (visibility == NativeSleepDecision.Nodes.NOT_LISTED && informer.hasSynced()) {
      visibility = NativeSleepDecision.Nodes.READABLE;
    }
    List<NativeSleepDecision.NodeKubelet> kubelets = visibility != NativeSleepDecision.Nodes.READABLE ? List.of()
        : informer.getStore().list().stream().map(n -> new NativeSleepDecision.NodeKubelet(
            n.getMetadata().getName(), PrunedNodeStore.kubeletVersion(n))).toList();
    NativeSleepDecision next = NativeSleepDecision.decide(kubelets, apiServer, visibility);
    NativeSleepDecision before = current;
    if (next.equals(before)) {
      return;
    }
    current = next;
    if (!started) {
      return;
    }
    if (next.plansDifferFrom(before)) {
      LOG.warn("action Auto now uses {}: {}. Deployments with an operator-written hook are re-planned (a rollout "
          + "each, paced by the rollout budget)", next.autoUsesSleep() ? "the native sleep action" : "exec sleep",
          next.message());
    } else {
      LOG.info("action Auto: {}", next.message());
    }
    for (BiConsumer<NativeSleepDecision, NativeSleepDecision> l : listeners) {
      try {
        l.accept(before, next);
      } catch (RuntimeException e) {
        LOG.warn("native sleep decision listener failed", e);
      }
    }
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(500L * attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    SharedIndexInformer<Node> informer = nodes;
    if (informer != null) {
      informer.stop();
    }
  }
}
