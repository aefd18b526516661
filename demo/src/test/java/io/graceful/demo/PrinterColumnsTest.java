package io.graceful.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrinterColumnsTest {
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

  private static CustomResourceDefinition committedCrd() throws IOException {
    try (InputStream in = PrinterColumnsTest.class.getClassLoader()
        .getResourceAsStream("graceful/crd/" + ExampleLoader.CRD_NAME + "-v1.yml")) {
      assertThat(in).as("the committed CRD copied by demo/pom.xml").isNotNull();
      return new KubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
    }
  }

  @Test
  void theDemoPrintsEveryColumnOfTheCommittedCrdInItsOrder() throws IOException {
    PrinterColumns columns = new PrinterColumns(committedCrd());
    assertThat(columns.headers()).containsExactly("NAME", "SLEEP", "SHUTDOWN", "MODE", "ACTION", "MATCHED",
        "APPLIED", "PENDING", "SKIPPED", "AUDIT", "CONFLICTS", "READY", "AGE");

    Map<String, Object> policy = Map.of(
        "metadata", Map.of("name", "web", "creationTimestamp", "2026-11-29T11:59:18Z"),
        "spec", Map.of("preStop", Map.of("sleepSeconds", 10), "shutdownSeconds", 25, "mode", "Enforce"),
        "status", Map.of("hookAction", "Sleep", "matched", 11, "applied", 7, "pending", 0, "skipped", 3,
            "audit", 0, "conflicts", 1, "conditions", List.of(
                Map.of("type", "Valid", "status", "True"), Map.of("type", "Ready", "status", "False"))));
    assertThat(columns.cells(policy, NOW))
        .containsExactly("web", "10", "25", "Enforce", "Sleep", "11", "7", "0", "3", "0", "1", "False", "42s");
  }

  @Test
  void aPolicyWithoutStatusShowsNoneLikeKubectl() throws IOException {
    PrinterColumns columns = new PrinterColumns(committedCrd());
    List<String> cells = columns.cells(Map.of("metadata", Map.of("name", "new"),
        "spec", Map.of("preStop", Map.of("sleepSeconds", 5))), NOW);
    assertThat(cells).containsExactly("new", "5", "<none>", "<none>", "<none>", "<none>", "<none>", "<none>",
        "<none>", "<none>", "<none>", "<none>", "<none>");
  }

  @Test
  void evaluatesFiltersAndRefusesPathsItCannotEvaluate() {
    Map<String, Object> object = Map.of("status", Map.of("conditions", List.of(
        Map.of("type", "Ready", "status", "True"))));
    assertThat(PrinterColumns.evaluate(object, ".status.conditions[?(@.type==\"Ready\")].status")).isEqualTo("True");
    assertThat(PrinterColumns.evaluate(object, ".status.conditions[?(@.type==\"Valid\")].status")).isNull();
    assertThatThrownBy(() -> PrinterColumns.evaluate(object, ".status.conditions[0].status"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not supported");
  }

  @Test
  void agesReadLikeKubectl() {
    assertThat(PrinterColumns.age("2026-11-29T11:59:18Z", NOW)).isEqualTo("42s");
    assertThat(PrinterColumns.age("2026-11-29T11:30:00Z", NOW)).isEqualTo("30m");
    assertThat(PrinterColumns.age("2026-11-29T02:00:00Z", NOW)).isEqualTo("10h");
    assertThat(PrinterColumns.age("2026-11-20T12:00:00Z", NOW)).isEqualTo("9d");
  }
}
