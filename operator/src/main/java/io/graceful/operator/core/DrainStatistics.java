package io.graceful.operator.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * What the drain samples of one policy say: how many, the 50th and 99th percentile and the maximum of the drain
 * latency, and how many terminations were unsafe. Nearest-rank percentiles over the sorted latencies, so the result
 * is one of the measured values and does not depend on the order the samples arrived in.
 */
public record DrainStatistics(int samples, double p50Seconds, double p99Seconds, double maxSeconds,
    int unsafeTerminations) {

  public static final DrainStatistics EMPTY = new DrainStatistics(0, 0, 0, 0, 0);

  /** A total order (ties broken on every field), so which samples a full window keeps never depends on arrival. */
  private static final Comparator<DrainSample> NEWEST_FIRST = Comparator
      .comparing(DrainSample::terminationStart).reversed()
      .thenComparing(DrainSample::leftRouting, Comparator.nullsFirst(Comparator.naturalOrder()))
      .thenComparing(DrainSample::gone, Comparator.nullsFirst(Comparator.naturalOrder()))
      .thenComparingLong(DrainSample::hookSeconds);

  public static DrainStatistics of(List<DrainSample> samples) {
    if (samples.isEmpty()) {
      return EMPTY;
    }
    double[] sorted = samples.stream().mapToDouble(DrainSample::latencySeconds).sorted().toArray();
    int unsafe = (int) samples.stream().filter(DrainSample::unsafe).count();
    return new DrainStatistics(sorted.length, nearestRank(sorted, 50), nearestRank(sorted, 99),
        sorted[sorted.length - 1], unsafe);
  }

  /**
   * The samples that count at {@code now}: those whose termination started within {@code window}, newest first, at
   * most {@code capacity} of them (memory stays bounded however many pods a policy's workloads churn through).
   */
  public static List<DrainSample> window(List<DrainSample> samples, Instant now, Duration window, int capacity) {
    Instant from = now.minus(window);
    return samples.stream()
        .filter(s -> !s.terminationStart().isBefore(from) && !s.terminationStart().isAfter(now))
        .sorted(NEWEST_FIRST)
        .limit(capacity)
        .toList();
  }

  private static double nearestRank(double[] sorted, int percentile) {
    int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
    return sorted[Math.max(rank, 1) - 1];
  }
}
