package io.graceful.charttests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart README's values table is generated from values.yaml ({@link ValuesDoc}); it must equal a fresh
 * generation ({@code -Dgraceful.regenerate=true} rewrites it), and every value must be documented and declared in
 * values.schema.json.
 */
class ValuesDocTest {

  @Test
  void readmeValuesTableIsGeneratedFromValuesYaml() {
    Path readme = Chart.chartDir().resolve("README.md");
    String values = Chart.read(Chart.chartDir().resolve("values.yaml"));
    Chart.assertFileMatches(readme, ValuesDoc.readmeWithTable(Chart.read(readme), values));
  }

  @Test
  void everyDocumentedKeyIsDeclaredInTheSchema() throws Exception {
    JsonNode schema = new ObjectMapper().readTree(Chart.read(Chart.chartDir().resolve("values.schema.json")));
    List<String> missing = new ArrayList<>();
    for (ValuesDoc.Row row : ValuesDoc.rows(Chart.read(Chart.chartDir().resolve("values.yaml")))) {
      JsonNode node = schema;
      for (String part : row.key().split("\\.")) {
        node = node.path("properties").path(part);
      }
      if (node.isMissingNode()) {
        missing.add(row.key());
      }
    }
    assertThat(missing).as("values documented in values.yaml but not declared in values.schema.json").isEmpty();
  }

  /** Every object schema with properties is closed, so a typo in a values file fails instead of being ignored. */
  @Test
  void schemaObjectsWithPropertiesRejectUnknownKeys() throws Exception {
    JsonNode schema = new ObjectMapper().readTree(Chart.read(Chart.chartDir().resolve("values.schema.json")));
    List<String> open = new ArrayList<>();
    collectOpen(schema, "", open);
    // a Kubernetes EnvVar allows more than its name; topologySpreadConstraints entries are Kubernetes objects;
    // global is shared with every chart of an umbrella release, which may put anything there
    assertThat(open).containsExactlyInAnyOrder("/extraEnv[]", "/topologySpreadConstraints[]", "/global");
  }

  private static void collectOpen(JsonNode node, String where, List<String> open) {
    if (node.has("properties")) {
      if (!node.path("additionalProperties").isBoolean() || node.path("additionalProperties").asBoolean()) {
        open.add(where);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = node.get("properties").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        collectOpen(e.getValue(), where + "/" + e.getKey(), open);
      }
    }
    if (node.has("items")) {
      collectOpen(node.get("items"), where + "[]", open);
    }
  }

  @Test
  void generatorRefusesUndocumentedValuesAndTreatsDocumentedMapsAsOneRow() {
    assertThatThrownBy(() -> ValuesDoc.rows("a:\n  # -- documented\n  b: 1\n  c: 2\n"))
        .hasMessageContaining("[a.c]");
    List<ValuesDoc.Row> rows = ValuesDoc.rows("""
        # -- A map, documented as a whole:
        # its children are its default.
        m:
          x: 1
          y: [a, "b|c"]

        plain:
          # -- A leaf.
          s: text
        """);
    assertThat(rows).containsExactly(
        new ValuesDoc.Row("m", "object", "{\"x\":1,\"y\":[\"a\",\"b|c\"]}",
            "A map, documented as a whole: its children are its default."),
        new ValuesDoc.Row("plain.s", "string", "\"text\"", "A leaf."));
    assertThat(ValuesDoc.table("# -- pipe | in text\nk: \"a|b\"\n"))
        .contains("| `k` | string | `\"a\\|b\"` | pipe \\| in text |");
    assertThat(ValuesDoc.table("# -- <release>-x, but `<kept>` in code\nk: 1\n"))
        .contains("| &lt;release&gt;-x, but `<kept>` in code |");
  }
}
