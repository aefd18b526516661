package io.graceful.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * One workload that a policy matches but that is not (yet) plainly Applied. The class keeps its first name (the
 * status list is {@code deployments}) so that the status schema stays compatible.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GovernedDeployment {
  @JsonPropertyDescription("Kind of the workload: Deployment, StatefulSet or DaemonSet.")
  private String kind;
  @JsonPropertyDescription("Namespace of the workload; set on a ClusterGracefulPolicy's list only (a GracefulPolicy's "
      + "workloads are in its own namespace).")
  private String namespace;
  @JsonPropertyDescription("Name of the workload (in the policy's namespace, or in namespace for a "
      + "ClusterGracefulPolicy).")
  private String name;
  @JsonPropertyDescription("Applied: carries this policy's hook and grace period. Pending: needs a change that is "
      + "not written yet. Skipped: left alone on purpose. Audit: evaluated, never written (mode Audit). Conflict: "
      + "another policy or another writer is in the way.")
  private DeploymentState state;
  @JsonPropertyDescription("Machine-readable reason. Applied: ShortenedForGitOps (hook fitted to a grace period a "
      + "GitOps manifest sets). Pending: ChangePending, WaitingForRolloutBudget, RolloutsHalted. Skipped: "
      + "ExistingHook, OptedOut, OwnedByController, RecreateStrategy, NoMatchingContainers, PolicyInvalid, "
      + "InvalidAnnotation, SleepActionUnsupported, UnreadableRecord, InvalidDeployment. Audit: WouldChange, Compliant. Conflict: GovernedByOtherPolicy, "
      + "FightingAnotherController, OwnedByGitOps.")
  private String reason;
  @JsonPropertyDescription("Human-readable explanation.")
  private String message;

  public GovernedDeployment() {
  }

  public GovernedDeployment(String kind, String name, DeploymentState state, String reason, String message) {
    this.kind = kind;
    this.name = name;
    this.state = state;
    this.reason = reason;
    this.message = message;
  }

  /** The same entry naming the workload's namespace (a cluster policy's list). */
  public GovernedDeployment inNamespace(String namespace) {
    GovernedDeployment copy = new GovernedDeployment(kind, name, state, reason, message);
    copy.namespace = namespace;
    return copy;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getKind() {
    return kind;
  }

  public void setKind(String kind) {
    this.kind = kind;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public DeploymentState getState() {
    return state;
  }

  public void setState(DeploymentState state) {
    this.state = state;
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

  @Override
  public boolean equals(Object o) {
    return o instanceof GovernedDeployment other && Objects.equals(kind, other.kind)
        && Objects.equals(namespace, other.namespace) && Objects.equals(name, other.name) && state == other.state
        && Objects.equals(reason, other.reason) && Objects.equals(message, other.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, namespace, name, state, reason, message);
  }

  @Override
  public String toString() {
    return kind + " " + (namespace == null ? "" : namespace + "/") + name + "=" + state + "/" + reason + " (" + message + ")";
  }
}
