package io.graceful.operator.runtime;

/**
 * Start-up cannot succeed (API server unreachable, CRD missing, permission denied, caches not synced in time). The
 * message is meant for a person reading the pod log: it says what is wrong, where, and what to do.
 */
public final class StartFailedException extends RuntimeException {
  public StartFailedException(String message) {
    super(message);
  }

  public StartFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
