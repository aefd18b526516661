package io.graceful.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Desired state of a GracefulPolicy. Fields left empty take the documented defaults.
 *
 * <p>Enumerations are kept as strings (their schema comes from the enum type) and numbers as longs, so that a
 * value a lenient API server let through still deserializes and reaches the operator's own validation, which
 * reports it in status instead of failing inside the informer.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.terminationGracePeriodSeconds) || self.terminationGracePeriodSeconds >= "
        + "self.preStop.sleepSeconds + (has(self.shutdownSeconds) ? self.shutdownSeconds : 10)",
    message = "terminationGracePeriodSeconds must be >= preStop.sleepSeconds + shutdownSeconds")
public class GracefulPolicySpec {
  public static final int DEFAULT_SHUTDOWN_SECONDS = 10;

  @JsonPropertyDescription("Label selector over the workloads of this namespace (of the kinds in workloads). Omitted "
      + "or empty selects none by labels; a workload can still opt in with the annotation graceful.io/policy: <name>.")
  private LabelSelector selector;

  @Required
  @JsonPropertyDescription("The preStop hook the operator puts on each managed container.")
  private PreStopSpec preStop;

  @Min(0)
  @Max(3600)
  @Default("10")
  @JsonPropertyDescription("Seconds the application needs after SIGTERM to finish in-flight work (0..3600, default "
      + "10). The grace period is raised to at least preStop.sleepSeconds + shutdownSeconds.")
  private Long shutdownSeconds;

  @Min(1)
  @Max(7200)
  @JsonPropertyDescription("Optional floor for the pod template's terminationGracePeriodSeconds; must be >= "
      + "preStop.sleepSeconds + shutdownSeconds. The operator never lowers a grace period.")
  private Long terminationGracePeriodSeconds;

  @JsonPropertyDescription("Only these container names get the hook; empty means every regular container. "
      + "Init containers and native sidecars are never changed.")
  private List<String> containers = new ArrayList<>();

  @JsonPropertyDescription("Container names that never get the hook (applied after containers).")
  private List<String> excludeContainers = new ArrayList<>();

  @Default("Keep")
  @SchemaFrom(type = ExistingHook.class)
  @JsonPropertyDescription("What to do with a container's preStop hook that the operator did not write. Keep "
      + "(default) leaves it alone, raising the grace period if it is recognisably a sleep; Replace replaces it "
      + "with the policy's hook (restored on undo).")
  private String existingHook;

  @Default("Enforce")
  @SchemaFrom(type = PolicyMode.class)
  @JsonPropertyDescription("Enforce (default) changes workloads. Audit computes and reports what it would do in "
      + "status and Events, writes nothing to workloads, and restores workloads it had changed.")
  private String mode;

  @Min(-1000000)
  @Max(1000000)
  @Default("0")
  @JsonPropertyDescription("When several policies select one workload: the one named by the workload's "
      + "graceful.io/policy annotation wins, then the higher priority, then the older policy, then the name.")
  private Long priority;

  @Default("[\"Deployment\"]")
  @SchemaFrom(type = GovernedKind[].class)
  @JsonPropertyDescription("The workload kinds this policy governs: Deployment, StatefulSet, DaemonSet, Rollout (Argo "
      + "Rollouts, governed while their CRD is installed) (default [Deployment]; an empty list means the same). A "
      + "workload of a kind not listed is not matched by the selector or by its graceful.io/policy annotation. "
      + "StatefulSets and DaemonSets with updateStrategy OnDelete get the change on their next pod restart (README: "
      + "Workload kinds).")
  private List<String> workloads;

  public LabelSelector getSelector() {
    return selector;
  }

  public void setSelector(LabelSelector selector) {
    this.selector = selector;
  }

  public PreStopSpec getPreStop() {
    return preStop;
  }

  public void setPreStop(PreStopSpec preStop) {
    this.preStop = preStop;
  }

  public Long getShutdownSeconds() {
    return shutdownSeconds;
  }

  public void setShutdownSeconds(Long shutdownSeconds) {
    this.shutdownSeconds = shutdownSeconds;
  }

  public Long getTerminationGracePeriodSeconds() {
    return terminationGracePeriodSeconds;
  }

  public void setTerminationGracePeriodSeconds(Long terminationGracePeriodSeconds) {
    this.terminationGracePeriodSeconds = terminationGracePeriodSeconds;
  }

  public List<String> getContainers() {
    return containers;
  }

  public void setContainers(List<String> containers) {
    this.containers = containers;
  }

  public List<String> getExcludeContainers() {
    return excludeContainers;
  }

  public void setExcludeContainers(List<String> excludeContainers) {
    this.excludeContainers = excludeContainers;
  }

  public String getExistingHook() {
    return existingHook;
  }

  public void setExistingHook(String existingHook) {
    this.existingHook = existingHook;
  }

  public String getMode() {
    return mode;
  }

  public void setMode(String mode) {
    this.mode = mode;
  }

  public List<String> getWorkloads() {
    return workloads;
  }

  public void setWorkloads(List<String> workloads) {
    this.workloads = workloads;
  }

  public Long getPriority() {
    return priority;
  }

  public void setPriority(Long priority) {
    this.priority = priority;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof GracefulPolicySpec other)) {
      return false;
    }
    return Objects.equals(selector, other.selector) && Objects.equals(preStop, other.preStop)
        && Objects.equals(shutdownSeconds, other.shutdownSeconds)
        && Objects.equals(terminationGracePeriodSeconds, other.terminationGracePeriodSeconds)
        && Objects.equals(containers, other.containers) && Objects.equals(excludeContainers, other.excludeContainers)
        && Objects.equals(existingHook, other.existingHook) && Objects.equals(mode, other.mode) && Objects.equals(priority, other.priority)
        && Objects.equals(workloads, other.workloads);
  }

  @Override
  public int hashCode() {
    return Objects.hash(selector, preStop, shutdownSeconds, terminationGracePeriodSeconds, containers,
        excludeContainers, existingHook, mode, priority, workloads);
  }
}
