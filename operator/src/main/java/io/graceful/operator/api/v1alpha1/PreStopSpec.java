package io.graceful.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/** The preStop hook a policy puts on managed containers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PreStopSpec {
  @Required
  @Min(1)
  @Max(3600)
  @JsonPropertyDescription("Seconds the hook sleeps before the container gets SIGTERM (1..3600): long enough for "
      + "load balancers and kube-proxy to stop sending traffic to the terminating pod.")
  private Long sleepSeconds;

  @Default("Auto")
  @SchemaFrom(type = HookAction.class)
  @JsonPropertyDescription("How the hook sleeps. Sleep: the kubelet's native sleep action (no binary needed; "
      + "Kubernetes >= 1.30). Exec: runs `sleep N` in the container (needs a sleep binary; fails silently on "
      + "distroless images). Auto (default): Sleep when the API server is >= 1.30, else Exec.")
  private String action;

  @JsonPropertyDescription("How drain measurement (GRACEFUL_MEASURE_DRAIN) turns the measured drain into a "
      + "recommended sleep: p99 + marginSeconds within [minSeconds, maxSeconds]. Mode Recommend reports it in "
      + "status.drain.recommendedSleepSeconds; mode Auto also makes it the policy's effective sleep, at most once "
      + "per measurement window.")
  private SleepTuning tune;

  public PreStopSpec() {
  }

  public PreStopSpec(Long sleepSeconds, String action) {
    this.sleepSeconds = sleepSeconds;
    this.action = action;
  }

  public Long getSleepSeconds() {
    return sleepSeconds;
  }

  public void setSleepSeconds(Long sleepSeconds) {
    this.sleepSeconds = sleepSeconds;
  }

  public String getAction() {
    return action;
  }

  public void setAction(String action) {
    this.action = action;
  }

  public SleepTuning getTune() {
    return tune;
  }

  public void setTune(SleepTuning tune) {
    this.tune = tune;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PreStopSpec other && Objects.equals(sleepSeconds, other.sleepSeconds)
        && Objects.equals(action, other.action) && Objects.equals(tune, other.tune);
  }

  @Override
  public int hashCode() {
    return Objects.hash(sleepSeconds, action, tune);
  }
}
