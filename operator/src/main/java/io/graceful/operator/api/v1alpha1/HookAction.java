package io.graceful.operator.api.v1alpha1;

/** How the preStop hook sleeps. */
public enum HookAction {
  Auto, Sleep, Exec
}
