package io.graceful.operator.controller;

import io.graceful.operator.core.DrainSample;
import io.graceful.operator.core.DrainStatistics;
import io.graceful.operator.core.PolicyRef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The drain samples of each policy within the measurement window, at most {@link #CAPACITY} per policy (the newest):
 * memory stays bounded however fast a policy's workloads churn through pods. In memory only: a restarted operator
 * starts measuring afresh (the status keeps the last numbers until the next computation).
 */
public final class DrainSamples {
  /** Samples kept per policy; 1,000 give a 99th percentile resting on ten values. */
  public static final int CAPACITY = 1_000;

  private final Duration window;
  private final Map<PolicyRef, List<DrainSample>> byPolicy = new ConcurrentHashMap<>();

  public DrainSamples(Duration window) {
    this.window = window;
  }

  public Duration window() {
    return window;
  }

  public void record(PolicyRef policy, DrainSample sample, Instant now) {
    byPolicy.compute(policy, (p, list) -> {
      List<DrainSample> next = new ArrayList<>(within(list == null ? List.of() : list, now));
      next.add(sample);
      return List.copyOf(next.size() > CAPACITY ? next.subList(next.size() - CAPACITY, next.size()) : next);
    });
  }

  /** What the policy's samples within the window at {@code now} say. */
  public DrainStatistics statistics(PolicyRef policy, Instant now) {
    return DrainStatistics.of(within(byPolicy.getOrDefault(policy, List.of()), now));
  }

  /**
   * Drops samples that left the window and returns the policies that lost some (their status changes with it).
   */
  public Set<PolicyRef> expire(Instant now) {
    Set<PolicyRef> changed = new java.util.HashSet<>();
    for (PolicyRef policy : Set.copyOf(byPolicy.keySet())) {
      byPolicy.computeIfPresent(policy, (p, list) -> {
        List<DrainSample> kept = within(list, now);
        if (kept.size() != list.size()) {
          changed.add(p);
        }
        return kept.isEmpty() ? null : kept;
      });
    }
    return changed;
  }

  /**
   * The samples whose termination started within the window. No upper bound: the start comes from the API
   * server's clock, which may run a little ahead of this process's.
   */
  private List<DrainSample> within(List<DrainSample> samples, Instant now) {
    Instant from = now.minus(window);
    return samples.stream().filter(s -> !s.terminationStart().isBefore(from)).toList();
  }

  /** Samples held, all policies (the benchmark reports it). */
  public int size() {
    return byPolicy.values().stream().collect(Collectors.summingInt(List::size));
  }
}
