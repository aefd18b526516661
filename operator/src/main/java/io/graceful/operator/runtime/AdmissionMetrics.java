package io.graceful.operator.runtime;

import io.graceful.operator.core.AdmissionResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * {@code graceful_admission_requests_total{result}} (every result exists at 0 from the start) and the
 * {@code graceful_admission_duration_seconds} histogram of the webhook's answer time (read, plan, write).
 */
public final class AdmissionMetrics {
  private final Map<AdmissionResult, Counter> requests = new EnumMap<>(AdmissionResult.class);
  private final Timer duration;

  public AdmissionMetrics(MeterRegistry registry) {
    for (AdmissionResult r : AdmissionResult.values()) {
      requests.put(r, Counter.builder("graceful.admission.requests")
          .description("Admission requests answered by the webhook, by result (all are allowed)")
          .tag("result", r.label()).register(registry));
    }
    duration = Timer.builder("graceful.admission.duration")
        .description("Time the webhook took to answer an admission request")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(3))
        .register(registry);
  }

  public void answered(AdmissionResult result, long nanos) {
    requests.get(result).increment();
    duration.record(Duration.ofNanos(nanos));
  }
}
