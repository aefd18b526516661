package io.graceful.operator.api.argo;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * An Argo Rollout ({@code argoproj.io/v1alpha1}), reduced to what the operator reads. No Java model of Argo
 * Rollouts exists; this small class gives the client and the framework a typed resource. It implements
 * {@link HasMetadata} directly instead of extending {@code CustomResource}: the CRD generator emits a CRD for every
 * CustomResource subclass, and this CRD is Argo's, not ours. Fields not declared here are not kept, which is safe
 * because the operator only ever writes a JSON Patch of its own paths.
 */
@Group("argoproj.io")
@Version("v1alpha1")
@Kind("Rollout")
@Plural("rollouts")
@JsonIgnoreProperties(ignoreUnknown = true)
// plain bean deserialization, as CustomResource does: HasMetadata's own deserializer would look the kind up in the
// client's registry and hand back a GenericKubernetesResource
@JsonDeserialize(using = JsonDeserializer.None.class)
public class ArgoRollout implements HasMetadata, Namespaced {
  private String apiVersion = "argoproj.io/v1alpha1";
  private String kind = "Rollout";
  private ObjectMeta metadata;
  private RolloutSpec spec;
  private RolloutStatus status;

  @Override
  public String getApiVersion() {
    return apiVersion;
  }

  @Override
  public void setApiVersion(String apiVersion) {
    this.apiVersion = apiVersion;
  }

  @Override
  public String getKind() {
    return kind;
  }

  public void setKind(String kind) {
    this.kind = kind;
  }

  @Override
  public ObjectMeta getMetadata() {
    return metadata;
  }

  @Override
  public void setMetadata(ObjectMeta metadata) {
    this.metadata = metadata;
  }

  public RolloutSpec getSpec() {
    return spec;
  }

  public void setSpec(RolloutSpec spec) {
    this.spec = spec;
  }

  public RolloutStatus getStatus() {
    return status;
  }

  public void setStatus(RolloutStatus status) {
    this.status = status;
  }
}
