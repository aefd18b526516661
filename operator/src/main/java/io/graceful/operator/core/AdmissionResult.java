package io.graceful.operator.core;

import java.util.Locale;

/**
 * What admission did with one request: the {@code result} label of {@code graceful_admission_requests_total} and of
 * the decision's log line. Every result admits the request (the webhook never rejects).
 */
public enum AdmissionResult {
  /** The workload was changed to what the controller would write. */
  MUTATED,
  /** A governed kind, nothing to change (no policy selects it, opted out, Audit mode, already as wanted). */
  UNCHANGED,
  /** A change is due that admission leaves to the controller (an undo, a shortened hook). */
  DEFERRED,
  /** Not a request the webhook decides on (another kind or operation, a deletion in progress). */
  IGNORED,
  /** The AdmissionReview or its object could not be read; admitted unchanged. */
  MALFORMED;

  /** The metric label value. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
