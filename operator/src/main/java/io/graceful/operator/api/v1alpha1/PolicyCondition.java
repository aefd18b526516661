package io.graceful.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * One condition of a policy's status, shaped like metav1.Condition so that kubectl, kstatus and GitOps tools read
 * it as they read any other; a class of its own so that every field is documented in {@code kubectl explain}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PolicyCondition {
  @JsonPropertyDescription("Ready, Valid, RolloutsHalted or WritesFailing.")
  private String type;
  @JsonPropertyDescription("True, False or Unknown.")
  private String status;
  @JsonPropertyDescription("Machine-readable reason for the current status. Ready: Converged, ChangesPending, "
      + "FightingAnotherController, InvalidSpec, RolloutsHalted, WritesFailing. Valid: SpecValid, InvalidSpec. "
      + "RolloutsHalted: TooManyFailedRollouts, RolloutsFlowing. WritesFailing: WritesRefused, WritesSucceeding.")
  private String reason;
  @JsonPropertyDescription("Human-readable details: counts, the Deployments concerned and the API server's message.")
  private String message;
  @JsonPropertyDescription("The metadata.generation of the policy this condition was computed for.")
  private Long observedGeneration;
  @JsonPropertyDescription("When the condition last changed status (RFC 3339); it does not move while the status "
      + "stays the same, even when reason or message change.")
  private String lastTransitionTime;

  public PolicyCondition() {
  }

  public PolicyCondition(String type, String status, String reason, String message, Long observedGeneration,
      String lastTransitionTime) {
    this.type = type;
    this.status = status;
    this.reason = reason;
    this.message = message;
    this.observedGeneration = observedGeneration;
    this.lastTransitionTime = lastTransitionTime;
  }

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getLastTransitionTime() {
    return lastTransitionTime;
  }

  public void setLastTransitionTime(String lastTransitionTime) {
    this.lastTransitionTime = lastTransitionTime;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyCondition other && Objects.equals(type, other.type)
        && Objects.equals(status, other.status) && Objects.equals(reason, other.reason)
        && Objects.equals(message, other.message) && Objects.equals(observedGeneration, other.observedGeneration)
        && Objects.equals(lastTransitionTime, other.lastTransitionTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, status, reason, message, observedGeneration, lastTransitionTime);
  }

  @Override
  public String toString() {
    return type + "=" + status + " (" + reason + ": " + message + ")";
  }
}
