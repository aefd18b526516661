package io.graceful.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PolicySettlingTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final PolicySettling settling = new PolicySettling(Duration.ofSeconds(2), now::get);

  private static GracefulPolicy policy(String ns, String uid, long generation) {
    GracefulPolicy p = new GracefulPolicy();
    p.getMetadata().setNamespace(ns);
    p.getMetadata().setName("p-" + uid);
    p.getMetadata().setUid(uid);
    p.getMetadata().setGeneration(generation);
    return p;
  }

  private void advance(long millis) {
    now.addAndGet(Duration.ofMillis(millis).toNanos());
  }

  @Test
  void aNewPolicyHoldsItsNamespaceForTheSettleTime() {
    assertThat(settling.remaining("shop")).isZero();
    settling.seen(policy("shop", "a", 1), false);
    assertThat(settling.remaining("shop")).isEqualTo(Duration.ofSeconds(2));
    assertThat(settling.remaining("other")).as("other namespaces are not held").isZero();
    advance(1500);
    assertThat(settling.remaining("shop")).isEqualTo(Duration.ofMillis(500));
    advance(500);
    assertThat(settling.remaining("shop")).isZero();
  }

  @Test
  void eachFurtherChangeRestartsTheWait() {
    settling.seen(policy("shop", "a", 1), false);
    advance(1500);
    settling.seen(policy("shop", "b", 1), false);
    assertThat(settling.remaining("shop")).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void statusWritesDoNotHoldAnything() {
    settling.seen(policy("shop", "a", 3), false);
    advance(5000);
    settling.seen(policy("shop", "a", 3), false); // same generation: a status or metadata update
    assertThat(settling.remaining("shop")).isZero();
    settling.seen(policy("shop", "a", 4), false); // spec edited
    assertThat(settling.remaining("shop")).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aDeletionHoldsTheNamespaceOnce() {
    settling.seen(policy("shop", "a", 1), false);
    advance(5000);
    settling.seen(policy("shop", "a", 1), true);
    assertThat(settling.remaining("shop")).isEqualTo(Duration.ofSeconds(2));
    advance(5000);
    settling.seen(policy("shop", "a", 1), true); // a repeated delete event of a policy already gone
    assertThat(settling.remaining("shop")).isZero();
  }

  @Test
  void zeroTurnsItOff() {
    PolicySettling off = new PolicySettling(Duration.ZERO, now::get);
    off.seen(policy("shop", "a", 1), false);
    assertThat(off.remaining("shop")).isZero();
  }

  @Test
  void aClusterPolicyChangeHoldsEveryNamespaceItSelectedOrSelects() {
    settling.seenCluster("c", 1L, false, java.util.Set.of("shop", "blog"));
    assertThat(settling.remaining("shop")).isEqualTo(Duration.ofSeconds(2));
    assertThat(settling.remaining("blog")).isEqualTo(Duration.ofSeconds(2));
    assertThat(settling.remaining("other")).isZero();
    advance(2000);
    // the status write does not move the generation: nothing is held
    settling.seenCluster("c", 1L, false, java.util.Set.of("shop", "blog"));
    assertThat(settling.remaining("shop")).isZero();
    // an edit that drops blog holds blog too (its workloads revert) and the newly selected news
    settling.seenCluster("c", 2L, false, java.util.Set.of("shop", "news"));
    assertThat(settling.remaining("blog")).isEqualTo(Duration.ofSeconds(2));
    assertThat(settling.remaining("news")).isEqualTo(Duration.ofSeconds(2));
    advance(2000);
    // deleting it holds what it selected last
    settling.seenCluster("c", 2L, true, java.util.Set.of());
    assertThat(settling.remaining("shop")).isEqualTo(Duration.ofSeconds(2));
    assertThat(settling.remaining("news")).isEqualTo(Duration.ofSeconds(2));
    assertThat(settling.remaining("blog")).isZero();
  }
}
