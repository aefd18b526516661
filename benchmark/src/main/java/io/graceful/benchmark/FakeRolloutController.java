package io.graceful.benchmark;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.graceful.operator.core.GracefulAnnotations;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Stands in, in the benchmark JVM, for the Deployment controller the mock API server does not run (budget-on runs,
 * {@code --budget N}). Deployments are created with running pods (a settled status, {@link #settledStatus}); when a
 * Deployment's generation moves ahead of its status.observedGeneration (a pod-template write), the rollout is marked
 * in progress at once (observedGeneration = generation, updatedReplicas 0) and completed after {@code rollout}
 * seconds +- {@code jitter} (observedGeneration = generation, every count = spec.replicas). Both through the status
 * subresource (JSON merge patch, no resourceVersion: only this controller writes Deployment status).
 *
 * <p>It watches (one informer over all namespaces) instead of listing, so it scales to 10,000 Deployments and more.
 * The informer's event handler sees every change in the server's order, one at a time, and keeps the number of
 * rollouts in progress after each event: the operator's own ({@code graceful.io/rollout} equals the generation and
 * the status does not show the rollout finished, the operator's definition) and all of them. So the maximum is
 * sampled at every status transition, not polled. Every event that takes the operator's count above the cap is
 * written down ({@link #capExceeded}).
 */
final class FakeRolloutController implements AutoCloseable {
  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

  private final KubernetesClient client;
  private final long rolloutNanos;
  private final double jitter;
  private final int cap;
  private final Random random = new Random(20261129L);
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r,
      "fake-rollout-timer"));
  private final ExecutorService writers = Executors.newFixedThreadPool(4, r -> daemon(r, "fake-rollout-writer"));
  private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r,
      "fake-rollout-sampler"));

  // owned by the informer's event thread
  private final Map<String, Integer> flags = new HashMap<>();
  private final Map<String, Long> scheduled = new HashMap<>();

  private final AtomicInteger inFlightOperator = new AtomicInteger();
  private final AtomicInteger inFlightAny = new AtomicInteger();
  private final AtomicInteger maxOperator = new AtomicInteger();
  private final AtomicInteger maxAny = new AtomicInteger();
  private final AtomicInteger windowMaxOperator = new AtomicInteger();
  private final AtomicInteger phaseMaxOperator = new AtomicInteger();
  private final AtomicLong events = new AtomicLong();
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong startedWithoutAnnotation = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong superseded = new AtomicLong();
  private final AtomicLong statusWrites = new AtomicLong();
  private final AtomicLong statusWriteFailures = new AtomicLong();
  private final List<String> capExceeded = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<String> series = java.util.Collections.synchronizedList(new ArrayList<>());
  private volatile long maxOperatorAtNanos;
  private volatile SharedIndexInformer<Deployment> informer;

  FakeRolloutController(KubernetesClient client, double rolloutSeconds, double jitter, int cap) {
    this.client = client;
    this.rolloutNanos = (long) (rolloutSeconds * 1e9);
    this.jitter = jitter;
    this.cap = cap;
  }

  /** A settled Deployment with running pods, as a real cluster would show it: every count = spec.replicas. */
  static DeploymentStatus settledStatus(Deployment d) {
    int r = desired(d);
    DeploymentStatus s = new DeploymentStatus();
    s.setObservedGeneration(generation(d));
    s.setReplicas(r);
    s.setUpdatedReplicas(r);
    s.setReadyReplicas(r);
    s.setAvailableReplicas(r);
    return s;
  }

  /** Gives a just-created Deployment its running pods (status subresource). */
  static void settle(KubernetesClient client, Deployment created) {
    mergeStatus(client, created.getMetadata().getNamespace(), created.getMetadata().getName(),
        generation(created), desired(created), desired(created));
  }

  /** Starts watching; returns once the informer has listed every Deployment. */
  void start() {
    informer = client.apps().deployments().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Deployment d) {
        changed(d);
      }

      @Override
      public void onUpdate(Deployment old, Deployment d) {
        changed(d);
      }

      @Override
      public void onDelete(Deployment d, boolean unknown) {
        String key = key(d);
        int prev = flags.getOrDefault(key, 0);
        flags.remove(key);
        if ((prev & 1) != 0) {
          inFlightOperator.decrementAndGet();
        }
        if ((prev & 2) != 0) {
          inFlightAny.decrementAndGet();
        }
      }
    }, 0);
    while (!informer.hasSynced()) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Samples once a second from now on (t = 0 at {@code zeroNanos}): one line of the time series each, with the most
   * in flight at any event of that second; {@code operatorWrites} = the operator's successful Deployment patches.
   */
  void startSeries(long zeroNanos, LongSupplier operatorWrites) {
    windowMaxOperator.set(inFlightOperator.get());
    sampler.scheduleAtFixedRate(() -> {
      int now = inFlightOperator.get();
      int windowMax = windowMaxOperator.getAndSet(now);
      series.add(String.format(Locale.ROOT, "%.1f\t%d\t%d\t%d\t%d\t%d\t%d", (System.nanoTime() - zeroNanos) / 1e9,
          now, Math.max(now, windowMax), inFlightAny.get(), started.get(), completed.get(),
          operatorWrites.getAsLong()));
    }, 1, 1, TimeUnit.SECONDS);
  }

  private void changed(Deployment d) {
    events.incrementAndGet();
    String key = key(d);
    boolean running = d.getStatus() != null && n(d.getStatus().getReplicas()) > 0 && desired(d) > 0;
    boolean unfinished = running && !finished(d);
    boolean operator = unfinished && operatorRollout(d);
    int now = (operator ? 1 : 0) | (unfinished ? 2 : 0);
    Integer prevBoxed = flags.put(key, now);
    int prev = prevBoxed == null ? 0 : prevBoxed;
    if ((prev & 1) != (now & 1)) {
      if (operator) {
        int c = inFlightOperator.incrementAndGet();
        if (c > maxOperator.get()) {
          maxOperator.set(c);
          maxOperatorAtNanos = System.nanoTime();
        }
        windowMaxOperator.accumulateAndGet(c, Math::max);
        phaseMaxOperator.accumulateAndGet(c, Math::max);
        if (cap > 0 && c > cap) {
          capExceeded.add(String.format(Locale.ROOT, "%d\t%d\t%s\tgeneration=%d\tstatus=%s\trollout=%s",
              System.nanoTime(), c, key, generation(d), d.getStatus(), annotation(d)));
        }
      } else {
        inFlightOperator.decrementAndGet();
      }
    }
    if ((prev & 2) != (now & 2)) {
      if (unfinished) {
        maxAny.accumulateAndGet(inFlightAny.incrementAndGet(), Math::max);
      } else {
        inFlightAny.decrementAndGet();
      }
    }
    long g = generation(d);
    Long observed = d.getStatus() == null ? null : d.getStatus().getObservedGeneration();
    if (running && observed != null && observed < g) {
      Long already = scheduled.get(key);
      if (already == null || already < g) {
        scheduled.put(key, g);
        started.incrementAndGet();
        if (!operatorRollout(d)) {
          startedWithoutAnnotation.incrementAndGet();
        }
        String ns = d.getMetadata().getNamespace();
        String name = d.getMetadata().getName();
        int replicas = desired(d);
        writers.execute(() -> write(ns, name, g, replicas, 0));
        double factor = 1 + jitter * (2 * random.nextDouble() - 1);
        timers.schedule(() -> writers.execute(() -> complete(key, ns, name, g)), (long) (rolloutNanos * factor),
            TimeUnit.NANOSECONDS);
      }
    }
  }

  private void complete(String key, String ns, String name, long g) {
    Deployment latest = informer.getStore().getByKey(key);
    if (latest == null) {
      return;
    }
    if (generation(latest) != g) {
      superseded.incrementAndGet(); // a newer template: its own rollout was scheduled by its event
      return;
    }
    if (write(ns, name, g, desired(latest), desired(latest))) {
      completed.incrementAndGet();
    }
  }

  private boolean write(String ns, String name, long g, int replicas, int updated) {
    try {
      mergeStatus(client, ns, name, g, replicas, updated);
      statusWrites.incrementAndGet();
      return true;
    } catch (RuntimeException e) {
      statusWriteFailures.incrementAndGet();
      System.err.println("[fake rollout controller] status write of " + ns + "/" + name + " failed: " + e);
      return false;
    }
  }

  private static void mergeStatus(KubernetesClient client, String ns, String name, long g, int replicas,
      int updated) {
    String body = String.format(Locale.ROOT, "{\"status\":{\"observedGeneration\":%d,\"replicas\":%d,"
        + "\"updatedReplicas\":%d,\"readyReplicas\":%d,\"availableReplicas\":%d}}", g, replicas, updated, replicas,
        replicas);
    client.apps().deployments().inNamespace(ns).withName(name).subresource("status").patch(MERGE, body);
  }

  /** The rollout of the current generation is done (the operator's definition, RolloutProgress). */
  private static boolean finished(Deployment d) {
    DeploymentStatus s = d.getStatus();
    int r = desired(d);
    return s.getObservedGeneration() != null && s.getObservedGeneration() >= generation(d)
        && n(s.getUpdatedReplicas()) == r && n(s.getReadyReplicas()) == r && n(s.getAvailableReplicas()) == r
        && n(s.getReplicas()) == r;
  }

  /** The current generation is the one the operator's last template write produced. */
  private static boolean operatorRollout(Deployment d) {
    String a = annotation(d);
    try {
      return a != null && Long.parseLong(a.trim()) == generation(d);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String annotation(Deployment d) {
    Map<String, String> a = d.getMetadata().getAnnotations();
    return a == null ? null : a.get(GracefulAnnotations.ROLLOUT);
  }

  int inFlightOperator() {
    return inFlightOperator.get();
  }

  int inFlightAny() {
    return inFlightAny.get();
  }

  int maxOperator() {
    return maxOperator.get();
  }

  long maxOperatorAtNanos() {
    return maxOperatorAtNanos;
  }

  int maxAny() {
    return maxAny.get();
  }

  /** The most operator rollouts in flight since the last call (a phase's maximum); resets to the current count. */
  int phaseMaxOperatorAndReset() {
    return phaseMaxOperator.getAndSet(inFlightOperator.get());
  }

  long events() {
    return events.get();
  }

  long started() {
    return started.get();
  }

  long startedWithoutAnnotation() {
    return startedWithoutAnnotation.get();
  }

  long completed() {
    return completed.get();
  }

  long superseded() {
    return superseded.get();
  }

  long statusWrites() {
    return statusWrites.get();
  }

  long statusWriteFailures() {
    return statusWriteFailures.get();
  }

  List<String> capExceeded() {
    synchronized (capExceeded) {
      return List.copyOf(capExceeded);
    }
  }

  /** The time series (tab-separated, with a header) and the cap-exceeded events into {@code out}. */
  void writeFiles(Path series, Path exceeded) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(series)) {
      w.write("t_s\tin_flight_operator\tmax_in_flight_operator_this_second\tin_flight_all\trollouts_started"
          + "\trollouts_completed\toperator_deployment_writes\n");
      synchronized (this.series) {
        for (String line : this.series) {
          w.write(line);
          w.write('\n');
        }
      }
    }
    try (BufferedWriter w = Files.newBufferedWriter(exceeded)) {
      w.write("nanos\tin_flight_operator\tdeployment\tgeneration\tstatus\trollout_annotation\n");
      for (String line : capExceeded()) {
        w.write(line);
        w.write('\n');
      }
    }
  }

  @Override
  public void close() {
    sampler.shutdownNow();
    timers.shutdownNow();
    writers.shutdownNow();
    SharedIndexInformer<Deployment> i = informer;
    if (i != null) {
      i.close();
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static String key(Deployment d) {
    return d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
  }

  private static long generation(Deployment d) {
    return d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
  }

  private static int desired(Deployment d) {
    Integer r = d.getSpec() == null ? null : d.getSpec().getReplicas();
    return r == null ? 1 : r;
  }

  private static int n(Integer i) {
    return i == null ? 0 : i;
  }
}
