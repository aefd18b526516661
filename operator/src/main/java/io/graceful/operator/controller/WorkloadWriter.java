package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.graceful.operator.core.WorkloadPlan;

/**
 * Sends a plan's JSON Patch: one request per change (R5), recorded under the field manager graceful-operator. The
 * same for every kind: the patch paths are under {@code /spec/template} and {@code /metadata/annotations}.
 */
public final class WorkloadWriter {
  public static final String FIELD_MANAGER = "graceful-operator";
  private static final PatchContext JSON_PATCH = new PatchContext.Builder().withPatchType(PatchType.JSON)
      .withFieldManager(FIELD_MANAGER).build();

  private final KubernetesClient client;

  public WorkloadWriter(KubernetesClient client) {
    this.client = client;
  }

  /**
   * @param cached the workload the plan was made from; naming the resource by the cached object (not by name)
   *     keeps the client from fetching it first, so a change costs exactly one request
   */
  @SuppressWarnings("unchecked")
  public <T extends HasMetadata> T write(T cached, WorkloadPlan plan) {
    return client.resources((Class<T>) cached.getClass()).inNamespace(plan.namespace()).resource(cached)
        .patch(JSON_PATCH, plan.patch().toString());
  }
}
