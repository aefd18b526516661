package io.graceful.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.processing.retry.RetryExecution;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryForeverTest {
  private static List<Long> delays(double random, int n) {
    RetryExecution e = new RetryForever(Duration.ofSeconds(300), () -> random).initExecution();
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      assertThat(e.isLastAttempt()).as("never the last attempt").isFalse();
      out.add(e.nextDelay().orElseThrow());
    }
    assertThat(e.getAttemptCount()).isEqualTo(n);
    return out;
  }

  @Test
  void doublesFromOneSecondUpToTheCapAndNeverStops() {
    assertThat(delays(0.5, 12)).containsExactly(1000L, 2000L, 4000L, 8000L, 16000L, 32000L, 64000L, 128000L,
        256000L, 300000L, 300000L, 300000L);
    List<Long> many = delays(0.5, 10_000);
    assertThat(many.get(many.size() - 1)).isEqualTo(300000L);
  }

  @Test
  void jitterStaysWithinTwentyPercent() {
    assertThat(delays(0.0, 3)).containsExactly(800L, 1600L, 3200L);
    assertThat(delays(0.999999, 1).get(0)).isBetween(1199L, 1200L);
  }
}
