package io.graceful.operator.core;

/**
 * Facts about the world that planning needs but that are not in the Deployment or the policies.
 *
 * @param nativeSleepSupported the API server accepts {@code lifecycle.preStop.sleep} (>= 1.30, or forced)
 * @param maxReapplies how often the operator re-applies a change someone else undid before it stops (R6)
 */
public record PlanningContext(boolean nativeSleepSupported, int maxReapplies) {
}
