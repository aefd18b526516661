package io.graceful.operator.api.argo;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.Map;

/**
 * The part of a Rollout's spec the operator reads: replicas, the pod template (the same {@code spec.template} path
 * as a Deployment's, so hooks and JSON Patch paths are identical), and {@code workloadRef}, which replaces the
 * template by a reference to a Deployment's.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutSpec {
  private Integer replicas;
  private PodTemplateSpec template;
  private Map<String, Object> workloadRef;

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public PodTemplateSpec getTemplate() {
    return template;
  }

  public void setTemplate(PodTemplateSpec template) {
    this.template = template;
  }

  public Map<String, Object> getWorkloadRef() {
    return workloadRef;
  }

  public void setWorkloadRef(Map<String, Object> workloadRef) {
    this.workloadRef = workloadRef;
  }

  /** Compared by the update filter when a server leaves generation unset (the mock API server). */
  @Override
  public boolean equals(Object o) {
    return o instanceof RolloutSpec other && java.util.Objects.equals(replicas, other.replicas)
        && java.util.Objects.equals(template, other.template)
        && java.util.Objects.equals(workloadRef, other.workloadRef);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(replicas, template, workloadRef);
  }
}
