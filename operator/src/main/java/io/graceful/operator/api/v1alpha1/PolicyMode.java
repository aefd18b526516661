package io.graceful.operator.api.v1alpha1;

/** Whether a policy changes Deployments or only reports. */
public enum PolicyMode {
  Enforce, Audit
}
