package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.Event;
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
import io.graceful.operator.core.HookFailures;
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
 * watch scope, whose stores keep only what the handlers read ({@link DrainItemStore}); their events feed the pure
 * {@link DrainTracker}, each sample is attributed to the policy governing the pod's workload at that moment, kept in
 * {@link DrainSamples}, observed by the metrics, and the policy's status is recomputed. Pods of workloads no policy
 * governs are never followed. A third informer, filtered by the API server to the kubelet's FailedPreStopHook Events,
 * counts failing hooks per governed workload ({@link HookFailures}), with a Warning Event on the workload.
 */
public final class DrainWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DrainWatch.class);
  /** A terminating pod still routed this long after its termination start is forgotten (a stuck finalizer). */
  static final Duration PATIENCE = Duration.ofHours(1);
  /** How long a slice's release of a pod waits for the pod informer to report the termination. */
  static final Duration RELEASE_MEMORY = Duration.ofMinutes(2);
  private static final long EXPIRY_PERIOD_SECONDS = 15;
  static final String FAILED_PRE_STOP_HOOK = "FailedPreStopHook";

  private final KubernetesClient client;
  private final Set<String> namespaces;
  private final Function<WorkloadRef, Optional<PolicyRef>> governing;
  private final DrainSamples samples;
  private final PolicyStatusTrigger trigger;
  private final BiConsumer<PolicyRef, DrainSample> observer;
  private final Clock clock;
  private final DrainTracker tracker = new DrainTracker(PATIENCE, RELEASE_MEMORY);
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private final List<SharedIndexInformer<Pod>> podInformers = new ArrayList<>();
  private final List<SharedIndexInformer<io.fabric8.kubernetes.api.model.Service>> serviceInformers =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<SharedIndexInformer<io.fabric8.kubernetes.api.model.networking.v1.Ingress>> ingressInformers =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final HookFailures hookFailures = new HookFailures();
  /** Pod uid -> workload of governed pods seen terminating lately: a hook Event may arrive after the pod is gone. */
  private final java.util.Map<String, WorkloadRef> recentlyTerminating = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.Map<String, Instant> recentlyTerminatingSince = new java.util.concurrent.ConcurrentHashMap<>();
  private final Function<WorkloadRef, Optional<HasMetadata>> workloadObject;
  private final EventRecorder events;
  private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "drain-expiry");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param namespaces the watch scope; empty = every namespace
   * @param governing the policy that governs a workload now, if any
   * @param observer told every sample with its policy (the metrics)
   * @param workloadObject the cached workload object (hook failure Events name it)
   */
  public DrainWatch(KubernetesClient client, Set<String> namespaces,
      Function<WorkloadRef, Optional<PolicyRef>> governing, DrainSamples samples, PolicyStatusTrigger trigger,
      BiConsumer<PolicyRef, DrainSample> observer, Clock clock,
      Function<WorkloadRef, Optional<HasMetadata>> workloadObject, EventRecorder events) {
    this.workloadObject = workloadObject;
    this.events = events;
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
      SharedIndexInformer<Pod> informer = inform(pods.runnableInformer(0), DrainItemStore::pods,
          new PodEvents());
      informers.add(informer);
      podInformers.add(informer);
    }
    for (Informable<EndpointSlice> slices : scoped(() -> client.discovery().v1().endpointSlices().inAnyNamespace(),
        ns -> client.discovery().v1().endpointSlices().inNamespace(ns))) {
      informers.add(inform(slices.runnableInformer(0), DrainItemStore::slices,
          new SliceEvents()));
    }
    // only the kubelet's FailedPreStopHook Events, filtered by the API server
    for (Informable<Event> hookEvents : scoped(
        () -> client.v1().events().inAnyNamespace().withField("reason", FAILED_PRE_STOP_HOOK),
        ns -> client.v1().events().inNamespace(ns).withField("reason", FAILED_PRE_STOP_HOOK))) {
      informers.add(inform(hookEvents.runnableInformer(0), DrainItemStore::events,
          new HookEvents()));
    }
    // Services and Ingresses in front of governed pods: their load-balancer annotations give floors for the sleep
    for (Informable<io.fabric8.kubernetes.api.model.Service> services : scoped(
        () -> client.services().inAnyNamespace(), ns -> client.services().inNamespace(ns))) {
      SharedIndexInformer<io.fabric8.kubernetes.api.model.Service> informer = inform(services.runnableInformer(0),
          () -> new PrunedStore<>(LoadBalancerRoutes::pruneService), new RouteEvents<>());
      informers.add(informer);
      serviceInformers.add(informer);
    }
    for (Informable<io.fabric8.kubernetes.api.model.networking.v1.Ingress> ingresses : scoped(
        () -> client.network().v1().ingresses().inAnyNamespace(),
        ns -> client.network().v1().ingresses().inNamespace(ns))) {
      SharedIndexInformer<io.fabric8.kubernetes.api.model.networking.v1.Ingress> informer = inform(
          ingresses.runnableInformer(0), () -> new PrunedStore<>(LoadBalancerRoutes::pruneIngress),
          new RouteEvents<>());
      informers.add(informer);
      ingressInformers.add(informer);
    }
    expiry.scheduleWithFixedDelay(this::expire, EXPIRY_PERIOD_SECONDS, EXPIRY_PERIOD_SECONDS, TimeUnit.SECONDS);
    LOG.info("measuring the drain of governed workloads' pods (window {}m)", samples.window().toMinutes());
  }

  /** A Service or Ingress changed: the floors of its namespace's policies may have. */
  private final class RouteEvents<T extends HasMetadata> implements ResourceEventHandler<T> {
    @Override
    public void onAdd(T o) {
      trigger.namespaceChanged(o.getMetadata().getNamespace());
    }

    @Override
    public void onUpdate(T before, T o) {
      if (!LoadBalancerRoutes.sameRouting(before, o)) {
        trigger.namespaceChanged(o.getMetadata().getNamespace());
      }
    }

    @Override
    public void onDelete(T o, boolean finalStateUnknown) {
      trigger.namespaceChanged(o.getMetadata().getNamespace());
    }
  }

  /** The Services and Ingresses of a namespace, as load-balancer floors read them (from the pruned stores). */
  public LoadBalancerRoutes.Routes routes(String namespace) {
    return LoadBalancerRoutes.of(namespace, serviceInformers, ingressInformers);
  }

  private <T> List<Informable<T>> scoped(Supplier<Informable<T>> any, Function<String, Informable<T>> one) {
    return namespaces.isEmpty() ? List.of(any.get()) : namespaces.stream().sorted().map(one).toList();
  }

  private <T extends HasMetadata> SharedIndexInformer<T> inform(SharedIndexInformer<T> informer,
      Supplier<? extends io.fabric8.kubernetes.client.informers.cache.ItemStore<T>> store,
      ResourceEventHandler<T> handler) {
    informer.itemStore(store.get());
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
    recentlyTerminating.put(pod.getMetadata().getUid(), workload.get());
    recentlyTerminatingSince.put(pod.getMetadata().getUid(), clock.instant());
    List<DrainTracker.Measured> out;
    synchronized (tracker) {
      out = tracker.podTerminating(pod.getMetadata().getUid(), workload.get(), start.get(),
          PodWorkload.hookSeconds(pod), clock.instant());
    }
    attribute(out);
  }

  /** Kubelet Events FailedPreStopHook about pods of governed workloads. */
  private final class HookEvents implements ResourceEventHandler<Event> {
    @Override
    public void onAdd(Event event) {
      failed(event);
    }

    @Override
    public void onUpdate(Event before, Event event) {
      failed(event);
    }

    @Override
    public void onDelete(Event event, boolean finalStateUnknown) {
      // expires with the window, not with the Event (the API server keeps Events for an hour)
    }
  }

  private void failed(Event event) {
    var about = event.getInvolvedObject();
    if (about == null || !"Pod".equals(about.getKind()) || !FAILED_PRE_STOP_HOOK.equals(event.getReason())) {
      return;
    }
    Optional<WorkloadRef> workload = Optional.ofNullable(about.getUid()).map(recentlyTerminating::get);
    if (workload.isEmpty()) {
      workload = podInformers.stream()
          .map(i -> i.getStore().getByKey(about.getNamespace() + "/" + about.getName()))
          .filter(java.util.Objects::nonNull).findFirst().flatMap(PodWorkload::of);
    }
    if (workload.isEmpty() || governing.apply(workload.get()).isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    int count = event.getCount() == null ? 1 : event.getCount();
    boolean more;
    int total;
    synchronized (hookFailures) {
      more = hookFailures.observe(event.getMetadata().getNamespace() + "/" + event.getMetadata().getName(),
          workload.get(), count, now);
      total = hookFailures.counts(now, samples.window()).getOrDefault(workload.get(), 0);
    }
    if (!more) {
      return;
    }
    WorkloadRef ref = workload.get();
    try (MDC.MDCCloseable w = MDC.putCloseable("workload", ref.toString())) {
      LOG.warn("{}", HookFailures.message(ref, total));
      workloadObject.apply(ref).ifPresent(o -> events.decided(o, "Warning", "HookFailing",
          HookFailures.message(ref, total)));
    }
    trigger.namespaceChanged(ref.namespace());
  }

  /** FailedPreStopHook counts per workload within the window (the status lists those workloads as HookFailing). */
  public java.util.Map<WorkloadRef, Integer> hookFailures() {
    synchronized (hookFailures) {
      return hookFailures.counts(clock.instant(), samples.window());
    }
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
      Instant forget = now.minus(RELEASE_MEMORY);
      recentlyTerminatingSince.entrySet().removeIf(e -> {
        boolean old = e.getValue().isBefore(forget);
        if (old) {
          recentlyTerminating.remove(e.getKey());
        }
        return old;
      });
      boolean forgotten;
      synchronized (hookFailures) {
        forgotten = hookFailures.expire(now, samples.window());
      }
      if (forgotten) {
        trigger.allChanged();
      }
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
