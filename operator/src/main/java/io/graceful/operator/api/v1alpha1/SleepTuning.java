package io.graceful.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * How drain measurement turns the measured drain into a recommended sleep: p99 + margin, rounded up, within
 * [min, max]. Only read while the operator measures the drain (GRACEFUL_MEASURE_DRAIN).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.minSeconds) || !has(self.maxSeconds) || self.minSeconds <= self.maxSeconds",
    message = "tune.minSeconds must be <= tune.maxSeconds")
public class SleepTuning {
  public static final long DEFAULT_MARGIN_SECONDS = 2;
  public static final long DEFAULT_MIN_SECONDS = 1;
  public static final long DEFAULT_MAX_SECONDS = 3600;

  @SchemaFrom(type = TuneMode.class)
  @JsonPropertyDescription("Recommend (default): report the recommended sleep in "
      + "status.drain.recommendedSleepSeconds and the SleepSufficient condition; the sleep itself is not changed. "
      + "Auto: also make it the policy's effective sleep (status.drain.tunedSleepSeconds) once enough samples exist, "
      + "at most once per measurement window, each change an Event SleepTuned; workload writes follow the rollout "
      + "budget. Never in policy mode Audit; a workload's graceful.io/sleep-seconds still wins.")
  private String mode;

  @Min(0)
  @Max(600)
  @JsonPropertyDescription("Seconds added to the measured 99th percentile drain latency (0..600, default 2): room for "
      + "what the operator cannot see, such as load balancers acting on the EndpointSlice change.")
  private Long marginSeconds;

  @Min(1)
  @Max(3600)
  @JsonPropertyDescription("The recommendation is never below this (1..3600, default 1), e.g. a load balancer's "
      + "deregistration delay.")
  private Long minSeconds;

  @Min(1)
  @Max(3600)
  @JsonPropertyDescription("The recommendation is never above this (1..3600, default 3600; at least minSeconds).")
  private Long maxSeconds;

  public String getMode() {
    return mode;
  }

  public void setMode(String mode) {
    this.mode = mode;
  }

  public Long getMarginSeconds() {
    return marginSeconds;
  }

  public void setMarginSeconds(Long marginSeconds) {
    this.marginSeconds = marginSeconds;
  }

  public Long getMinSeconds() {
    return minSeconds;
  }

  public void setMinSeconds(Long minSeconds) {
    this.minSeconds = minSeconds;
  }

  public Long getMaxSeconds() {
    return maxSeconds;
  }

  public void setMaxSeconds(Long maxSeconds) {
    this.maxSeconds = maxSeconds;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SleepTuning t && Objects.equals(mode, t.mode) && Objects.equals(marginSeconds, t.marginSeconds)
        && Objects.equals(minSeconds, t.minSeconds) && Objects.equals(maxSeconds, t.maxSeconds);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, marginSeconds, minSeconds, maxSeconds);
  }
}
