package io.graceful.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HookFailuresTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static final WorkloadRef WEB = WorkloadRef.deployment("shop", "web");
  private static final WorkloadRef API = WorkloadRef.deployment("shop", "api");

  @Test
  void aggregatedEventsCountOnceWithTheirLatestCountAndExpireWithTheWindow() {
    HookFailures f = new HookFailures();
    assertThat(f.observe("shop/e1", WEB, 1, T0)).isTrue();
    assertThat(f.observe("shop/e1", WEB, 1, T0.plusSeconds(1))).as("the same Event again").isFalse();
    assertThat(f.observe("shop/e1", WEB, 4, T0.plusSeconds(2))).as("the kubelet raised its count").isTrue();
    assertThat(f.observe("shop/e2", WEB, 0, T0.plusSeconds(3))).as("no count means one").isTrue();
    assertThat(f.observe("shop/e3", API, 2, T0.plusSeconds(3))).isTrue();
    assertThat(f.counts(T0.plusSeconds(10), Duration.ofHours(1))).isEqualTo(Map.of(WEB, 5, API, 2));
    assertThat(f.expire(T0.plusSeconds(3600 + 3), Duration.ofHours(1))).isTrue();
    assertThat(f.counts(T0.plusSeconds(3600 + 3), Duration.ofHours(1))).isEqualTo(Map.of(WEB, 1, API, 2));
  }

  @Test
  void theMessageNamesTheRemedy() {
    assertThat(HookFailures.message(WEB, 2)).startsWith("2 FailedPreStopHook events for the pods of Deployment shop/web")
        .contains("preStop action Sleep", "graceful.io/action: Sleep", "an image with a shell and sleep");
  }
}
