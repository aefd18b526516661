package io.graceful.benchmark;

import io.graceful.operator.controller.DrainSamples;
import io.graceful.operator.core.DrainStatistics;
import io.graceful.operator.core.DrainTracker;
import io.graceful.operator.core.PolicyRef;
import io.graceful.operator.core.WorkloadRef;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * {@code java -jar graceful-benchmark.jar drain [--workloads 10000 --pods 3 --namespaces 1000 --rounds 1]}: the cost
 * of drain measurement's state at scale, in one thread on a simulated clock: every workload (one Service, one
 * EndpointSlice) has {@code --pods} routed pods; then each round rolls every workload (surge one new pod, the old one
 * terminates, the slice lets go of it 0.2 - 8 s later, the pod is gone 30 s after its termination started), with the
 * events of all workloads interleaved in time order. Each sample is recorded for the workload's policy (one per
 * namespace) and that policy's statistics are recomputed (what each status computation does; an upper bound, the
 * status controller coalesces). Reports CPU time, events per second and the heap the tracker and the samples retain.
 * What it does not measure: the informers' own cost and the API requests (see BENCHMARKS.md).
 */
final class DrainBenchmark {
  private record Step(Instant at, int kind, int workload, String pod, String replacement) {}

  private static final int TERMINATE = 0;
  private static final int RELEASE = 1;
  private static final int GONE = 2;

  private DrainBenchmark() {
  }

  static void run(Map<String, String> opts) {
    int workloads = Integer.parseInt(opts.getOrDefault("workloads", "10000"));
    int pods = Integer.parseInt(opts.getOrDefault("pods", "3"));
    int namespaces = Integer.parseInt(opts.getOrDefault("namespaces", "1000"));
    int rounds = Integer.parseInt(opts.getOrDefault("rounds", "1"));
    Random random = new Random(42);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long heapBefore = usedHeap();

    Instant t0 = Instant.parse("2026-11-29T00:00:00Z");
    DrainTracker tracker = new DrainTracker(Duration.ofHours(1), Duration.ofMinutes(2));
    DrainSamples samples = new DrainSamples(Duration.ofHours(24));
    List<Set<String>> routed = new ArrayList<>();
    WorkloadRef[] refs = new WorkloadRef[workloads];
    PolicyRef[] policies = new PolicyRef[workloads];
    long cpu0 = threads.getCurrentThreadCpuTime();
    for (int w = 0; w < workloads; w++) {
      String ns = "ns-" + (w % namespaces);
      refs[w] = WorkloadRef.deployment(ns, "app-" + w);
      policies[w] = PolicyRef.namespaced(ns, "standard");
      Set<String> set = new HashSet<>();
      for (int p = 0; p < pods; p++) {
        set.add("pod-" + w + "-0-" + p);
      }
      routed.add(set);
      tracker.sliceChanged("slice-" + w, set, t0);
    }
    long setupCpu = threads.getCurrentThreadCpuTime() - cpu0;
    long heapRouted = usedHeap();

    long events = 0;
    int measured = 0;
    int peakFollowed = 0;
    long churnCpu = 0;
    Instant now = t0;
    for (int round = 1; round <= rounds; round++) {
      PriorityQueue<Step> queue = new PriorityQueue<>((a, b) -> a.at().compareTo(b.at()));
      // every workload replaces its pods one by one, 10 s apart, workloads starting within a 10-minute window
      for (int w = 0; w < workloads; w++) {
        Instant start = now.plusMillis(random.nextInt(600_000));
        List<String> old = new ArrayList<>(routed.get(w));
        old.sort(null);
        for (int p = 0; p < old.size(); p++) {
          Instant at = start.plusSeconds(10L * p);
          String replacement = "pod-" + w + "-" + round + "-" + p;
          queue.add(new Step(at, TERMINATE, w, old.get(p), replacement));
          queue.add(new Step(at.plusMillis(200 + random.nextInt(7_800)), RELEASE, w, old.get(p), null));
          queue.add(new Step(at.plusSeconds(30), GONE, w, old.get(p), null));
        }
      }
      long c0 = threads.getCurrentThreadCpuTime();
      while (!queue.isEmpty()) {
        Step s = queue.poll();
        now = s.at();
        List<DrainTracker.Measured> out;
        Set<String> set = routed.get(s.workload());
        switch (s.kind()) {
          case TERMINATE -> {
            set.add(s.replacement()); // the surge pod is ready first
            tracker.sliceChanged("slice-" + s.workload(), set, now);
            out = tracker.podTerminating(s.pod(), refs[s.workload()], now, 10, now);
            events += 2;
          }
          case RELEASE -> {
            set.remove(s.pod());
            out = tracker.sliceChanged("slice-" + s.workload(), set, now);
            events++;
          }
          default -> {
            out = tracker.podGone(s.pod(), now);
            events++;
          }
        }
        for (DrainTracker.Measured m : out) {
          samples.record(policies[s.workload()], m.sample(), now);
          DrainStatistics stats = samples.statistics(policies[s.workload()], now);
          if (stats.samples() == 0) {
            throw new IllegalStateException("a recorded sample is not counted");
          }
          measured++;
        }
        peakFollowed = Math.max(peakFollowed, tracker.followed());
        if (events % 50_000 == 0) {
          tracker.expire(now);
        }
      }
      tracker.expire(now);
      churnCpu += threads.getCurrentThreadCpuTime() - c0;
    }
    long heapAfter = usedHeap();
    // keep everything reachable until measured
    if (tracker.followed() < 0 || samples.size() < 0 || routed.isEmpty()) {
      throw new IllegalStateException();
    }
    System.out.printf(Locale.ROOT, "drain benchmark: %d workloads x %d pods in %d namespaces (one policy each), "
        + "%d rounds%n", workloads, pods, namespaces, rounds);
    System.out.printf(Locale.ROOT, "  setup (%d routed pods in %d slices): %.0f ms CPU, heap +%.1f MiB%n",
        workloads * pods, workloads, setupCpu / 1e6, (heapRouted - heapBefore) / 1048576.0);
    System.out.printf(Locale.ROOT, "  churn: %d events, %d samples, %.0f ms CPU (%.1f us per event, incl. "
        + "recording and statistics per sample)%n", events, measured, churnCpu / 1e6, churnCpu / 1e3 / events);
    System.out.printf(Locale.ROOT, "  peak terminating pods followed: %d; after churn: followed %d, release moments "
        + "remembered %d, samples held %d%n", peakFollowed, tracker.followed(), tracker.remembered(),
        samples.size());
    System.out.printf(Locale.ROOT, "  heap retained after churn (tracker + samples + the benchmark's own slice "
        + "sets): +%.1f MiB over the start%n", (heapAfter - heapBefore) / 1048576.0);
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
