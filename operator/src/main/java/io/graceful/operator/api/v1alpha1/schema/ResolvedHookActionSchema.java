package io.graceful.operator.api.v1alpha1.schema;

/**
 * The CRD schema of {@code status.hookAction}: what Auto resolved to, so never Auto itself. The Java field keeps
 * the policy's {@code HookAction} type; only the generated enum is narrowed, through a schema swap.
 */
public enum ResolvedHookActionSchema {
  Sleep,
  Exec
}
