package io.graceful.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * What drain measurement found for a policy's workloads: how long routing took to let go of their terminating pods
 * over the measurement window, and the sleep that would cover it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DrainStatus {
  @JsonPropertyDescription("Terminating pods measured within the window: each from its termination start "
      + "(deletionTimestamp minus deletionGracePeriodSeconds) until the last EndpointSlice listing it marked it not "
      + "ready or removed it.")
  private Integer samples;

  @JsonPropertyDescription("Median drain latency in seconds (nearest rank, one decimal).")
  private Double p50Seconds;

  @JsonPropertyDescription("99th percentile drain latency in seconds (nearest rank, one decimal).")
  private Double p99Seconds;

  @JsonPropertyDescription("Longest drain latency in seconds within the window (one decimal).")
  private Double maxSeconds;

  @JsonPropertyDescription("Terminations where an EndpointSlice still routed to the pod when its preStop sleep "
      + "ended (or when the pod was gone): SIGTERM reached a pod that could still receive traffic.")
  private Integer unsafeTerminations;

  @JsonPropertyDescription("The measurement window: samples whose termination started longer ago are forgotten "
      + "(GRACEFUL_DRAIN_WINDOW_MINUTES), e.g. 24h or 90m.")
  private String window;

  @JsonPropertyDescription("The sleep the measurements ask for: p99 plus a 2 s margin, rounded up to whole seconds, "
      + "at least 1; absent until the operator has GRACEFUL_DRAIN_MIN_SAMPLES samples.")
  private Long recommendedSleepSeconds;

  @JsonPropertyDescription("With spec.preStop.tune.mode Auto: the sleep the operator tuned the policy to (its "
      + "effective sleep, used instead of spec.preStop.sleepSeconds); absent while the spec's sleep applies.")
  private Long tunedSleepSeconds;

  @JsonPropertyDescription("With spec.preStop.tune.mode Auto: when tunedSleepSeconds last changed (RFC 3339); the "
      + "next change waits at least one measurement window after it.")
  private String lastTunedTime;

  public Integer getSamples() {
    return samples;
  }

  public void setSamples(Integer samples) {
    this.samples = samples;
  }

  public Double getP50Seconds() {
    return p50Seconds;
  }

  public void setP50Seconds(Double p50Seconds) {
    this.p50Seconds = p50Seconds;
  }

  public Double getP99Seconds() {
    return p99Seconds;
  }

  public void setP99Seconds(Double p99Seconds) {
    this.p99Seconds = p99Seconds;
  }

  public Double getMaxSeconds() {
    return maxSeconds;
  }

  public void setMaxSeconds(Double maxSeconds) {
    this.maxSeconds = maxSeconds;
  }

  public Integer getUnsafeTerminations() {
    return unsafeTerminations;
  }

  public void setUnsafeTerminations(Integer unsafeTerminations) {
    this.unsafeTerminations = unsafeTerminations;
  }

  public String getWindow() {
    return window;
  }

  public void setWindow(String window) {
    this.window = window;
  }

  public Long getRecommendedSleepSeconds() {
    return recommendedSleepSeconds;
  }

  public void setRecommendedSleepSeconds(Long recommendedSleepSeconds) {
    this.recommendedSleepSeconds = recommendedSleepSeconds;
  }

  public Long getTunedSleepSeconds() {
    return tunedSleepSeconds;
  }

  public void setTunedSleepSeconds(Long tunedSleepSeconds) {
    this.tunedSleepSeconds = tunedSleepSeconds;
  }

  public String getLastTunedTime() {
    return lastTunedTime;
  }

  public void setLastTunedTime(String lastTunedTime) {
    this.lastTunedTime = lastTunedTime;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DrainStatus d && Objects.equals(samples, d.samples) && Objects.equals(p50Seconds, d.p50Seconds)
        && Objects.equals(p99Seconds, d.p99Seconds) && Objects.equals(maxSeconds, d.maxSeconds)
        && Objects.equals(unsafeTerminations, d.unsafeTerminations) && Objects.equals(window, d.window)
        && Objects.equals(recommendedSleepSeconds, d.recommendedSleepSeconds)
        && Objects.equals(tunedSleepSeconds, d.tunedSleepSeconds) && Objects.equals(lastTunedTime, d.lastTunedTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(samples, p50Seconds, p99Seconds, maxSeconds, unsafeTerminations, window,
        recommendedSleepSeconds, tunedSleepSeconds, lastTunedTime);
  }
}
