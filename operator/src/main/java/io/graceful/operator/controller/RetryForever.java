package io.graceful.operator.controller;

import io.javaoperatorsdk.operator.processing.retry.Retry;
import io.javaoperatorsdk.operator.processing.retry.RetryExecution;
import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * Retries a failed reconciliation forever: exponential back-off from {@link #INITIAL} doubling up to a cap
 * (GRACEFUL_RETRY_MAX_DELAY_SECONDS),
 * each delay scaled by a random factor in [0.8, 1.2) so that thousands of Deployments refused during one outage
 * do not retry in lock-step. The framework's default gives up after a few attempts, which left Deployments
 * unreconciled after an outage longer than a minute until something else changed them (issue: no permanent
 * give-up). A periodic resync repairs anything an event did not bring (README "Operating it").
 */
public final class RetryForever implements Retry {
  public static final Duration INITIAL = Duration.ofSeconds(1);
  private final Duration cap;
  private final DoubleSupplier random;

  public RetryForever(Duration cap, DoubleSupplier random) {
    this.cap = cap;
    this.random = random;
  }

  @Override
  public RetryExecution initExecution() {
    return new RetryExecution() {
      private int attempts;

      @Override
      public Optional<Long> nextDelay() {
        long base = Math.min(cap.toMillis(), INITIAL.toMillis() << Math.min(attempts, 20));
        attempts++;
        return Optional.of((long) (base * (0.8 + 0.4 * random.getAsDouble())));
      }

      @Override
      public int getAttemptCount() {
        return attempts;
      }

      @Override
      public boolean isLastAttempt() {
        return false;
      }
    };
  }
}
