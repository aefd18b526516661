package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.graceful.operator.core.WorkloadPlan;

/** Sends a plan's JSON Patch: one request per change (R5), recorded under the field manager graceful-operator. */
public final class DeploymentWriter {
  public static final String FIELD_MANAGER = "graceful-operator";
  private static final PatchContext JSON_PATCH = new PatchContext.Builder().withPatchType(PatchType.JSON)
      .withFieldManager(FIELD_MANAGER).build();

  private final KubernetesClient client;

  public DeploymentWriter(KubernetesClient client) {
    this.client = client;
  }

  /**
   * @param cached the Deployment the plan was made from; naming the resource by the cached object (not by name)
   *     keeps the client from fetching it first, so a change costs exactly one request
   */
  public Deployment write(Deployment cached, WorkloadPlan plan) {
    return client.apps().deployments().inNamespace(plan.namespace()).resource(cached)
        .patch(JSON_PATCH, plan.patch().toString());
  }
}
