package io.graceful.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.graceful.operator.core.RolloutQueue.Candidate;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RolloutQueueTest {
  static Candidate c(String ns, String name, String created) {
    return new Candidate(WorkloadRef.deployment(ns, name), created);
  }

  static TreeSet<Candidate> queue(Candidate... cs) {
    TreeSet<Candidate> q = new TreeSet<>(RolloutQueue.FAIR);
    q.addAll(List.of(cs));
    return q;
  }

  @Test
  void fairOrderIsOldestFirstAcrossNamespacesThenNamespaceThenName() {
    Candidate old = c("zeta", "z", "2026-01-01T00:00:00Z");
    Candidate newer = c("alpha", "a", "2026-02-01T00:00:00Z");
    Candidate sameTimeOtherName = c("alpha", "b", "2026-02-01T00:00:00Z");
    assertThat(queue(sameTimeOtherName, newer, old)).containsExactly(old, newer, sameTimeOtherName);
  }

  @Test
  void freeSlotsGoToTheFirstWaitingInOrder() {
    Candidate a = c("ns", "a", "2026-01-01T00:00:00Z");
    Candidate b = c("ns", "b", "2026-01-02T00:00:00Z");
    Candidate d = c("ns", "d", "2026-01-03T00:00:00Z");
    var q = queue(a, b, d);
    // 3 of 5 in flight: two free slots, for a and b; d waits even if it asks first
    assertThat(RolloutQueue.mayStart(d, q, 3, Map.of("ns", 3), 5, 0)).isFalse();
    assertThat(RolloutQueue.mayStart(b, q, 3, Map.of("ns", 3), 5, 0)).isTrue();
    assertThat(RolloutQueue.mayStart(a, q, 3, Map.of("ns", 3), 5, 0)).isTrue();
    assertThat(RolloutQueue.mayStart(a, q, 5, Map.of("ns", 5), 5, 0)).isFalse();
  }

  @Test
  void aFullNamespaceDoesNotBlockOtherNamespaces() {
    Candidate busy = c("busy", "a", "2026-01-01T00:00:00Z");
    Candidate other = c("other", "b", "2026-01-02T00:00:00Z");
    var q = queue(busy, other);
    assertThat(RolloutQueue.mayStart(busy, q, 2, Map.of("busy", 2), 10, 2)).isFalse();
    assertThat(RolloutQueue.mayStart(other, q, 2, Map.of("busy", 2), 10, 2)).isTrue();
  }

  @Test
  void zeroMeansNoCap() {
    Candidate a = c("ns", "a", null);
    assertThat(RolloutQueue.mayStart(a, queue(a), 10_000, Map.of("ns", 10_000), 0, 0)).isTrue();
  }
}
