package io.graceful.operator.core;

import java.time.Duration;
import java.time.Instant;

/**
 * When the admission webhook's own CA is replaced, with an overlap so that no admission fails (README "Admission"):
 * the API server must trust a CA before any replica serves a certificate it signed, and keep trusting the old one
 * until no replica serves a certificate the old one signed. The state lives in the webhook's Secret, which every
 * replica reads; each phase lasts at least {@code settle} (every replica has checked the Secret and the API server has
 * the new caBundle by then).
 *
 * <ol>
 *   <li>{@link Step#ADD_NEXT}: a third of the CA's validity is left: a new CA is created and added to the caBundle
 *       beside the current one; certificates are still signed by the current one.
 *   <li>{@link Step#SWITCH}: the new CA has been trusted for {@code settle}: it becomes the current CA and signs a new
 *       serving certificate; the old CA stays in the caBundle as the previous one.
 *   <li>{@link Step#DROP_PREVIOUS}: the switch is {@code settle} old, so every replica serves the new certificate:
 *       the old CA leaves the caBundle.
 * </ol>
 */
public final class WebhookCaRotation {

  /** What to do with the CA now. */
  public enum Step {
    NONE, ADD_NEXT, SWITCH, DROP_PREVIOUS
  }

  /**
   * The CA part of the Secret.
   *
   * @param caNotBefore start of the current CA's validity
   * @param caNotAfter end of the current CA's validity
   * @param hasNext a new CA is trusted but does not sign yet
   * @param hasPrevious the old CA is still trusted after a switch
   * @param phaseSince when the next CA was added or the switch made; null: unknown (the phase is then over)
   */
  public record State(Instant caNotBefore, Instant caNotAfter, boolean hasNext, boolean hasPrevious,
      Instant phaseSince) {}

  private WebhookCaRotation() {
  }

  public static Step decide(State s, Instant now, Duration settle) {
    boolean settled = s.phaseSince() == null || !now.isBefore(s.phaseSince().plus(settle));
    if (s.hasPrevious()) {
      return settled ? Step.DROP_PREVIOUS : Step.NONE;
    }
    if (s.hasNext()) {
      return settled ? Step.SWITCH : Step.NONE;
    }
    Duration third = Duration.between(s.caNotBefore(), s.caNotAfter()).dividedBy(3);
    return now.isAfter(s.caNotAfter().minus(third)) ? Step.ADD_NEXT : Step.NONE;
  }
}
