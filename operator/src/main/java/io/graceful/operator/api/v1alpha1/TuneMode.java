package io.graceful.operator.api.v1alpha1;

/**
 * What the operator does with the sleep that drain measurement recommends. Recommend: reports it in
 * status.drain.recommendedSleepSeconds and the SleepSufficient condition, changes nothing. (A mode that applies it
 * by itself is not implemented.)
 */
public enum TuneMode {
  Recommend
}
