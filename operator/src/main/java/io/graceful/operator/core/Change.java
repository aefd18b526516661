package io.graceful.operator.core;

/** The kind of write a plan asks for. */
public enum Change {
  /** Nothing to write. */
  NONE,
  /** Put the policy's hooks and grace period on the template (first time, or new policy values). */
  APPLY,
  /** Write the operator's values again after something else changed them (counted, R6). */
  REAPPLY,
  /** Restore what the operator changed and remove its annotations (R8). */
  REVERT,
  /**
   * Shorten (or remove) the operator's own hook where it no longer controls the grace period, so that R1 holds
   * after it stops re-applying (R1 (docs/rules.md)).
   */
  FIT
}
