package io.graceful.operator.core;

/** The annotation keys (README "Deployment annotations"): the ones people set, and the ones the operator writes on Deployment metadata. */
public final class GracefulAnnotations {
  public static final String PREFIX = "graceful.io/";

  // set by people
  public static final String POLICY = PREFIX + "policy";
  public static final String ENABLED = PREFIX + "enabled";
  public static final String SLEEP_SECONDS = PREFIX + "sleep-seconds";
  public static final String SHUTDOWN_SECONDS = PREFIX + "shutdown-seconds";
  public static final String ACTION = PREFIX + "action";

  // written by the operator, never in the pod template
  public static final String APPLIED_POLICY = PREFIX + "applied-policy";
  public static final String ORIGINAL = PREFIX + "original";
  public static final String APPLIED = PREFIX + "applied";
  public static final String REAPPLIED = PREFIX + "reapplied";
  /**
   * The generation the operator's last pod-template write produced, on Deployments with running pods: while the
   * Deployment is at that generation and its rollout is unfinished, the rollout counts against the budget, whoever
   * (a restarted operator, a new leader) looks. Kept with the record; after a revert, removed once that rollout ends.
   */
  public static final String ROLLOUT = PREFIX + "rollout";

  /** Every key the operator owns, in the order it writes them. */
  public static final java.util.List<String> OWNED = java.util.List.of(APPLIED_POLICY, ORIGINAL, APPLIED, REAPPLIED,
      ROLLOUT);

  private GracefulAnnotations() {
  }
}
