package io.graceful.operator.api.v1alpha1;

/** What to do with a preStop hook the operator did not write. */
public enum ExistingHook {
  Keep, Replace
}
