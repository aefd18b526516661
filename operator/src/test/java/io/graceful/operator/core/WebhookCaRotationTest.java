package io.graceful.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.graceful.operator.core.WebhookCaRotation.State;
import io.graceful.operator.core.WebhookCaRotation.Step;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WebhookCaRotationTest {
  private static final Instant FROM = Instant.parse("2030-01-01T00:00:00Z");
  private static final Instant TO = FROM.plus(Duration.ofDays(3000));
  private static final Duration SETTLE = Duration.ofMinutes(3);

  @Test
  void aYoungCaStays() {
    assertThat(WebhookCaRotation.decide(new State(FROM, TO, false, false, null), FROM.plus(Duration.ofDays(1999)),
        SETTLE)).isEqualTo(Step.NONE);
  }

  @Test
  void withAThirdLeftANextCaIsAdded() {
    assertThat(WebhookCaRotation.decide(new State(FROM, TO, false, false, null), FROM.plus(Duration.ofDays(2001)),
        SETTLE)).isEqualTo(Step.ADD_NEXT);
  }

  @Test
  void theNextCaSignsOnlyAfterItHasBeenTrustedForTheSettleTime() {
    Instant added = FROM.plus(Duration.ofDays(2001));
    State withNext = new State(FROM, TO, true, false, added);
    assertThat(WebhookCaRotation.decide(withNext, added.plus(SETTLE).minusSeconds(1), SETTLE)).isEqualTo(Step.NONE);
    assertThat(WebhookCaRotation.decide(withNext, added.plus(SETTLE), SETTLE)).isEqualTo(Step.SWITCH);
  }

  @Test
  void theOldCaLeavesOnlyAfterEveryReplicaHadTimeToServeTheNewCertificate() {
    Instant switched = FROM.plus(Duration.ofDays(2002));
    State withPrevious = new State(switched, switched.plus(Duration.ofDays(3650)), false, true, switched);
    assertThat(WebhookCaRotation.decide(withPrevious, switched.plus(Duration.ofMinutes(2)), SETTLE))
        .isEqualTo(Step.NONE);
    assertThat(WebhookCaRotation.decide(withPrevious, switched.plus(SETTLE), SETTLE)).isEqualTo(Step.DROP_PREVIOUS);
  }

  @Test
  void anUnknownPhaseStartCountsAsSettled() {
    assertThat(WebhookCaRotation.decide(new State(FROM, TO, true, false, null), FROM, SETTLE)).isEqualTo(Step.SWITCH);
    assertThat(WebhookCaRotation.decide(new State(FROM, TO, false, true, null), FROM, SETTLE))
        .isEqualTo(Step.DROP_PREVIOUS);
  }
}
