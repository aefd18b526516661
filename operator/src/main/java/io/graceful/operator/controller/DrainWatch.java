package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.graceful.operator.core.DrainSample;
import io.graceful.operator.core.DrainTracker;
import io.graceful.operator.core.PodWorkload;
import io.graceful.operator.core.PolicyRef;
import io.graceful.operator.core.TerminationStart;
import io.graceful.operator.core.WorkloadRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Drain measurement's glue (only with GRACEFUL_MEASURE_DRAIN): one pod informer and one EndpointSlice informer per
 * watch scope, whose stores keep identities only ({@link IdentityStore}); their events feed the pure
 * {@link DrainTracker}, each sample is attributed to the policy governing the pod's workload at that moment, kept in
 * {@link DrainSamples}, observed by the metrics, and the policy's status is recomputed. Pods of workloads no policy
 * governs are never followed.
 */
public final class DrainWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DrainWatch.class);
  /** A terminating pod still routed this long after its termination start is forgotten (a stuck finalizer). */
  static final Duration PATIENCE = Duration.ofHours(1);
  /** How long a slice's release of a pod waits for the pod informer to report the termination. */
  static final Duration RELEASE_MEMORY = Duration.ofMinutes(2);
  private static final long EXPIRY_PERIOD_SECONDS = 15;

  private final KubernetesClient client;
  private final Set<String> namespaces;
  private final Function<WorkloadRef, Optional<PolicyRef>> governing;
  private final DrainSamples samples;
  private final PolicyStatusTrigger trigger;
  private final BiConsumer<PolicyRef, DrainSample> observer;
  private final Clock clock;
  private final DrainTracker tracker = new DrainTracker(PATIENCE, RELEASE_MEMORY);
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "drain-expiry");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param namespaces the watch scope; empty = every namespace
   * @param governing the policy that governs a workload now, if any
   * @param observer told every sample with its policy (the metrics)
   */
  public DrainWatch(KubernetesClient client, Set<String> namespaces,
      Function<WorkloadRef, Optional<PolicyRef>> governing, DrainSamples samples, PolicyStatusTrigger trigger,
      BiConsumer<PolicyRef, DrainSample> observer, Clock clock) {
    this.client = client;
    this.namespaces = Set.copyOf(namespaces);
    this.governing = governing;
    this.samples = samples;
    this.trigger = trigger;
    this.observer = observer;
    this.clock = clock;
  }

  /** Starts the informers (they list in the background) and the periodic expiry. */
  public void start() {
    for (Informable<Pod> pods : scoped(() -> client.pods().inAnyNamespace(), ns -> client.pods().inNamespace(ns))) {
      informers.add(inform(pods.runnableInformer(0), Pod::new, new PodEvents()));
    }
    for (Informable<EndpointSlice> slices : scoped(() -> client.discovery().v1().endpointSlices().inAnyNamespace(),
        ns -> client.discovery().v1().endpointSlices().inNamespace(ns))) {
      informers.add(inform(slices.runnableInformer(0), EndpointSlice::new, new SliceEvents()));
    }
    expiry.scheduleWithFixedDelay(this::expire, EXPIRY_PERIOD_SECONDS, EXPIRY_PERIOD_SECONDS, TimeUnit.SECONDS);
    LOG.info("measuring the drain of governed workloads' pods (window {}m)", samples.window().toMinutes());
  }

  private <T> List<Informable<T>> scoped(Supplier<Informable<T>> any, Function<String, Informable<T>> one) {
    return namespaces.isEmpty() ? List.of(any.get()) : namespaces.stream().sorted().map(one).toList();
  }

  private <T extends HasMetadata> SharedIndexInformer<T> inform(SharedIndexInformer<T> informer, Supplier<T> empty,
      ResourceEventHandler<T> handler) {
    informer.itemStore(new IdentityStore<>(empty));
    informer.addEventHandler(handler);
    informer.exceptionHandler((running, t) -> {
      LOG.warn("drain measurement cannot watch {} (retrying): {}", informer.getApiTypeClass().getSimpleName(),
          t.getMessage());
      return true;
    });
    informer.start();
    return informer;
  }

  /** Whether every informer has listed its scope (tests wait for it). */
  public boolean synced() {
    return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  private final class PodEvents implements ResourceEventHandler<Pod> {
    @Override
    public void onAdd(Pod pod) {
      terminating(pod);
    }

    @Override
    public void onUpdate(Pod before, Pod pod) {
      terminating(pod);
    }

    @Override
    public void onDelete(Pod pod, boolean finalStateUnknown) {
      String uid = pod.getMetadata().getUid();
      List<DrainTracker.Measured> out;
      synchronized (tracker) {
        out = tracker.podGone(uid, clock.instant());
      }
      attribute(out);
    }
  }

  private void terminating(Pod pod) {
    String deletion = pod.getMetadata().getDeletionTimestamp();
    if (deletion == null) {
      return;
    }
    synchronized (tracker) {
      if (tracker.follows(pod.getMetadata().getUid())) {
        return; // the first start counts (TerminationStart): later updates add nothing
      }
    }
    Optional<Instant> start = TerminationStart.of(Instant.parse(deletion),
        pod.getMetadata().getDeletionGracePeriodSeconds());
    Optional<WorkloadRef> workload = PodWorkload.of(pod);
    if (start.isEmpty() || workload.isEmpty() || governing.apply(workload.get()).isEmpty()) {
      return;
    }
    List<DrainTracker.Measured> out;
    synchronized (tracker) {
      out = tracker.podTerminating(pod.getMetadata().getUid(), workload.get(), start.get(),
          PodWorkload.hookSeconds(pod), clock.instant());
    }
    attribute(out);
  }

  private final class SliceEvents implements ResourceEventHandler<EndpointSlice> {
    @Override
    public void onAdd(EndpointSlice slice) {
      changed(slice);
    }

    @Override
    public void onUpdate(EndpointSlice before, EndpointSlice slice) {
      changed(slice);
    }

    @Override
    public void onDelete(EndpointSlice slice, boolean finalStateUnknown) {
      List<DrainTracker.Measured> out;
      synchronized (tracker) {
        out = tracker.sliceDeleted(key(slice), clock.instant());
      }
      attribute(out);
    }

    private void changed(EndpointSlice slice) {
      List<DrainTracker.Measured> out;
      synchronized (tracker) {
        out = tracker.sliceChanged(key(slice), routed(slice), clock.instant());
      }
      attribute(out);
    }
  }

  private static String key(EndpointSlice slice) {
    return slice.getMetadata().getNamespace() + "/" + slice.getMetadata().getName();
  }

  /** The pods a slice routes to: endpoints naming a pod whose {@code ready} is not false (absent means ready). */
  static Set<String> routed(EndpointSlice slice) {
    Set<String> out = new HashSet<>();
    if (slice.getEndpoints() == null) {
      return out;
    }
    for (Endpoint e : slice.getEndpoints()) {
      boolean ready = e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady());
      if (ready && e.getTargetRef() != null && "Pod".equals(e.getTargetRef().getKind())
          && e.getTargetRef().getUid() != null) {
        out.add(e.getTargetRef().getUid());
      }
    }
    return out;
  }

  private void attribute(List<DrainTracker.Measured> measured) {
    Instant now = clock.instant();
    for (DrainTracker.Measured m : measured) {
      Optional<PolicyRef> policy = governing.apply(m.workload());
      try (MDC.MDCCloseable w = MDC.putCloseable("workload", m.workload().toString())) {
        if (policy.isEmpty()) {
          LOG.debug("drain of pod {} measured ({} s) but no policy governs the workload any more", m.podUid(),
              m.sample().latencySeconds());
          continue;
        }
        try (MDC.MDCCloseable p = MDC.putCloseable("policy", policy.get().namespace() + "/" + policy.get().name())) {
          LOG.debug("drain of pod {}: {} s{}", m.podUid(), m.sample().latencySeconds(),
              m.sample().unsafe() ? ", unsafe (still routed when its " + m.sample().hookSeconds()
                  + " s preStop sleep ended)" : "");
        }
        samples.record(policy.get(), m.sample(), now);
        observer.accept(policy.get(), m.sample());
        trigger.namespaceChanged(policy.get().namespace());
      }
    }
  }

  private void expire() {
    try {
      Instant now = clock.instant();
      synchronized (tracker) {
        tracker.expire(now);
      }
      samples.expire(now).forEach(p -> trigger.namespaceChanged(p.namespace()));
    } catch (RuntimeException e) {
      LOG.warn("drain sample expiry failed (retried in {} s)", EXPIRY_PERIOD_SECONDS, e);
    }
  }

  @Override
  public void close() {
    expiry.shutdownNow();
    informers.forEach(SharedIndexInformer::stop);
  }
}
