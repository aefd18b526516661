package io.graceful.charttests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Chart.yaml's Artifact Hub metadata says what the chart really ships. */
class ChartMetadataTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static JsonNode chartYaml() throws IOException {
    return YAML.readTree(Chart.read(Chart.chartDir().resolve("Chart.yaml")));
  }

  static JsonNode annotation(String name) throws IOException {
    String text = chartYaml().at("/annotations").path("artifacthub.io/" + name).asText();
    assertThat(text).as("annotation artifacthub.io/%s", name).isNotBlank();
    return YAML.readTree(text);
  }

  @Test
  void basicMetadata() throws IOException {
    JsonNode chart = chartYaml();
    assertThat(chart.get("kubeVersion").asText()).isEqualTo(">=1.25.0-0");
    assertThat(chart.get("home").asText()).startsWith("https://github.com/");
    assertThat(chart.get("icon").asText()).startsWith("https://");
    assertThat(chart.get("sources")).isNotEmpty();
    assertThat(chart.get("maintainers")).isNotEmpty();
    assertThat(chart.at("/annotations").path("artifacthub.io/license").asText()).isEqualTo("Apache-2.0");
    // the icon URL points at a file of this repository
    String icon = chart.get("icon").asText();
    assertThat(Chart.root().resolve(icon.substring(icon.indexOf("/main/") + "/main/".length()))).exists();
    assertThat(annotation("links")).allSatisfy(l -> assertThat(l.get("url").asText()).startsWith("https://"));
    assertThat(annotation("changes")).allSatisfy(c -> {
      assertThat(c.get("kind").asText()).isIn("added", "changed", "deprecated", "removed", "fixed", "security");
      assertThat(c.get("description").asText()).isNotBlank();
    });
  }

  @Test
  void imagesAnnotationIsTheDefaultImage() throws IOException {
    JsonNode images = annotation("images");
    assertThat(images).hasSize(1);
    String image = Chart.render().deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    assertThat(images.get(0).get("image").asText()).isEqualTo(image);
  }

  @Test
  void crdsAnnotationNamesTheChartsCrd() throws IOException {
    JsonNode crds = annotation("crds");
    List<Path> files = CrdSyncTest.yamlFiles(Chart.chartDir().resolve("crds"));
    assertThat(crds).as("one entry per CRD of the chart").hasSameSizeAs(files);
    Map<String, String> kinds = Map.of("gracefulpolicies.graceful.io", "GracefulPolicy",
        "clustergracefulpolicies.graceful.io", "ClusterGracefulPolicy");
    for (JsonNode crd : crds) {
      String name = crd.get("name").asText();
      assertThat(kinds).containsEntry(name, crd.get("kind").asText());
      String stored = Chart.read(files.stream().filter(f -> f.getFileName().toString().startsWith(name + "-"))
          .findFirst().orElseThrow(() -> new AssertionError("no file for " + name + " in " + files)));
      assertThat(stored).contains("name: \"" + crd.get("version").asText() + "\"");
    }
  }

  /** crdsExamples are copies of objects of examples/, which the e2e tests apply (ExamplesIT). */
  @Test
  void crdsExamplesAreObjectsOfTheExamplesDirectory() throws IOException {
    List<JsonNode> examples = new ArrayList<>();
    try (Stream<Path> files = Files.list(Chart.root().resolve("examples"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        try (YAMLParser parser = new YAMLFactory().createParser(Chart.read(f))) {
          YAML.readValues(parser, JsonNode.class).forEachRemaining(examples::add);
        }
      }
    }
    JsonNode crdsExamples = annotation("crdsExamples");
    assertThat(crdsExamples).isNotEmpty();
    crdsExamples.forEach(e -> assertThat(examples).as("examples/ objects").contains(e));
  }
}
