package io.graceful.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {
  @Test
  void defaultsAreTheDocumentedOnes() {
    OperatorConfig c = OperatorConfig.defaults();
    assertThat(c.watchNamespaces()).isEmpty();
    assertThat(c.maxReapplies()).isEqualTo(3);
    assertThat(c.leaderElection()).isFalse();
    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.maxConcurrentRollouts()).isEqualTo(10);
    assertThat(c.nativeSleep()).isEqualTo(OperatorConfig.NativeSleepSupport.AUTO);
    assertThat(c.startTimeout()).isEqualTo(java.time.Duration.ofSeconds(120));
  }

  @Test
  void theStartTimeoutIsValidated() {
    assertThat(OperatorConfig.fromEnvironment(Map.of("GRACEFUL_START_TIMEOUT_SECONDS", "30")).startTimeout())
        .isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(OperatorConfig.fromEnvironment(Map.of("GRACEFUL_START_TIMEOUT_SECONDS", "30")).describe())
        .containsEntry("startTimeout", "30s");
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("GRACEFUL_START_TIMEOUT_SECONDS", "2")))
        .hasMessageContaining("GRACEFUL_START_TIMEOUT_SECONDS: 2 is outside 5..3600");
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("GRACEFUL_START_TIMEOUT_SECONDS", "soon")))
        .hasMessageContaining("GRACEFUL_START_TIMEOUT_SECONDS: 'soon' is not an integer");
  }

  @Test
  void theReadmeConfigurationTableListsEverySetting() throws Exception {
    String readme = java.nio.file.Files.readString(java.nio.file.Path.of("../README.md"));
    for (OperatorConfig.Setting setting : OperatorConfig.SETTINGS) {
      assertThat(readme).as("README row of %s", setting.env()).contains("| `" + setting.env() + "` |");
      if (!setting.defaultValue().isEmpty()) {
        assertThat(readme).as("README default of %s", setting.env())
            .contains("| `" + setting.env() + "` | `" + setting.defaultValue() + "` |");
      }
    }
  }

  @Test
  void readsEverySetting() {
    OperatorConfig c = OperatorConfig.fromEnvironment(Map.of(
        "GRACEFUL_WATCH_NAMESPACES", " shop, payments ,",
        "GRACEFUL_NATIVE_SLEEP", "false",
        "GRACEFUL_MAX_REAPPLIES", "5",
        "GRACEFUL_LEADER_ELECTION", "true",
        "POD_NAMESPACE", "graceful-system",
        "POD_NAME", "graceful-0",
        "GRACEFUL_LOG_FORMAT", "json",
        "GRACEFUL_HTTP_PORT", "0"));
    assertThat(c.watchNamespaces()).isEqualTo(Set.of("shop", "payments"));
    assertThat(c.nativeSleep()).isEqualTo(OperatorConfig.NativeSleepSupport.FALSE);
    assertThat(c.maxReapplies()).isEqualTo(5);
    assertThat(c.leaderElection()).isTrue();
    assertThat(c.leaseNamespace()).isEqualTo("graceful-system");
    assertThat(c.identity()).isEqualTo("graceful-0");
    assertThat(c.logFormat()).isEqualTo(OperatorConfig.LogFormat.JSON);
    assertThat(c.describe()).containsEntry("httpPort", "disabled").containsEntry("watchNamespaces", "payments,shop");
  }

  @Test
  void reportsEveryProblemAtOnce() {
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of(
        "GRACEFUL_MAX_REAPPLIES", "zero",
        "GRACEFUL_HTTP_PORT", "70000",
        "GRACEFUL_LOG_FORMAT", "xml",
        "GRACEFUL_WATCH_NAMESPACES", "Shop",
        "GRACEFUL_LEADER_ELECTION", "yes",
        "GRACEFUL_MAX_CONCURENT_ROLLOUTS", "3")))
        .isInstanceOf(InvalidConfigException.class)
        .satisfies(e -> assertThat(((InvalidConfigException) e).problems()).hasSize(6))
        .hasMessageContaining("GRACEFUL_MAX_REAPPLIES: 'zero' is not an integer")
        .hasMessageContaining("GRACEFUL_HTTP_PORT: 70000 is outside 0..65535")
        .hasMessageContaining("GRACEFUL_LOG_FORMAT: 'xml' is not one of text, json")
        .hasMessageContaining("'Shop' is not a valid namespace name")
        .hasMessageContaining("GRACEFUL_MAX_CONCURENT_ROLLOUTS: unknown setting");
  }

  @Test
  void leaderElectionNeedsANamespaceForItsLease() {
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("GRACEFUL_LEADER_ELECTION", "true")))
        .hasMessageContaining("neither GRACEFUL_LEASE_NAMESPACE nor POD_NAMESPACE");
  }
}
