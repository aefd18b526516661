package io.graceful.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The admission settings: defaults, the certificate validity in minutes and its check interval, refusals. */
class AdmissionConfigTest {

  @Test
  void offByDefaultWithAOneYearCertificateCheckedEveryMinute() {
    AdmissionConfig c = AdmissionConfig.fromEnvironment(Map.of());
    assertThat(c.enabled()).isFalse();
    assertThat(c.certValidity()).isEqualTo(Duration.ofDays(365));
    assertThat(c.certCheckEvery()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void aShortValidityIsCheckedEveryTwelfthOfIt() {
    AdmissionConfig c = AdmissionConfig.fromEnvironment(Map.of("GRACEFUL_ADMISSION_CERT_VALIDITY_MINUTES", "2"));
    assertThat(c.certValidity()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.certCheckEvery()).isEqualTo(Duration.ofSeconds(10));
    assertThat(AdmissionConfig.fromEnvironment(Map.of("GRACEFUL_ADMISSION_CERT_VALIDITY_MINUTES", "12"))
        .certCheckEvery()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void validityBelowTwoMinutesOrNotANumberIsRefusedAtStartUp() {
    assertThatThrownBy(() -> AdmissionConfig.fromEnvironment(Map.of("GRACEFUL_ADMISSION_CERT_VALIDITY_MINUTES", "1")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("GRACEFUL_ADMISSION_CERT_VALIDITY_MINUTES: 1 is outside 2..5256000");
    assertThatThrownBy(() -> AdmissionConfig.fromEnvironment(Map.of("GRACEFUL_ADMISSION_CERT_VALIDITY_MINUTES", "1h")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("GRACEFUL_ADMISSION_CERT_VALIDITY_MINUTES: '1h' is not an integer");
  }

  @Test
  void enabledNeedsTheOperatorsNamespace() {
    assertThatThrownBy(() -> AdmissionConfig.fromEnvironment(Map.of("GRACEFUL_ADMISSION_ENABLED", "true")))
        .isInstanceOf(InvalidConfigException.class).hasMessageContaining("POD_NAMESPACE");
    assertThat(AdmissionConfig.fromEnvironment(Map.of("GRACEFUL_ADMISSION_ENABLED", "true", "POD_NAMESPACE", "ops"))
        .describe().get("admission")).contains("valid 525600 min");
  }
}
