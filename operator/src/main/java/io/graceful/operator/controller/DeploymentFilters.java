package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;

/** Event filters for the Deployment informers, shared by both controllers. */
public final class DeploymentFilters {
  public static final OnUpdateFilter<Deployment> RELEVANT_UPDATE = DeploymentChanges::relevant;

  private DeploymentFilters() {
  }
}
