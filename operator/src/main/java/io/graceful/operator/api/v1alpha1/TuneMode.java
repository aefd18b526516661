package io.graceful.operator.api.v1alpha1;

/**
 * What the operator does with the sleep that drain measurement recommends. Recommend: reports it in
 * status.drain.recommendedSleepSeconds and the SleepSufficient condition, changes nothing. Auto: also makes it the
 * policy's effective sleep (status.drain.tunedSleepSeconds), at most once per measurement window.
 */
public enum TuneMode {
  Recommend,
  Auto
}
