package io.graceful.charttests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart carries an identical copy of the generated CRD in crd/ (Helm installs crds/ on first install).
 * Re-sync after the CRD changes, from the repository root:
 *
 * <pre>cp crd/*.yml helm/graceful-operator/crds/</pre>
 *
 * or let {@code -Dgraceful.regenerate=true} do it (it also rewrites deploy/ and the golden render).
 */
class CrdSyncTest {

  static final String RESYNC = "re-sync from the repository root with: cp crd/*.yml helm/graceful-operator/crds/ "
      + "(or mvn -B -pl chart-tests test -Dgraceful.regenerate=true, which also rewrites deploy/)";

  /** The generated CRD files of crd/; fails, with what to do, when there are none. */
  static List<Path> generatedCrds() throws IOException {
    Path crdDir = Chart.root().resolve("crd");
    List<Path> generated = yamlFiles(crdDir);
    if (generated.isEmpty()) {
      fail("%s has no CRD YAML yet: generate it with the operator build (the crd-generator writes "
          + "gracefulpolicies.graceful.io-v1.yml) and commit it to crd/, then %s", crdDir, RESYNC);
    }
    return generated;
  }

  static List<Path> yamlFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches(".*\\.ya?ml")).sorted().toList();
    }
  }

  @Test
  void chartCrdsAreIdenticalToCrdDirectory() throws IOException {
    Path crdDir = Chart.root().resolve("crd");
    Path chartCrds = Chart.chartDir().resolve("crds");
    List<Path> generated = generatedCrds();
    if (Chart.regenerate()) {
      Files.createDirectories(chartCrds);
      for (Path stale : yamlFiles(chartCrds)) {
        if (!Files.exists(crdDir.resolve(stale.getFileName()))) {
          Files.delete(stale);
          System.out.println("[graceful.regenerate] deleted " + stale);
        }
      }
      for (Path source : generated) {
        Files.copy(source, chartCrds.resolve(source.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        System.out.println("[graceful.regenerate] copied " + source + " to " + chartCrds);
      }
    }
    List<String> generatedNames = generated.stream().map(p -> p.getFileName().toString()).toList();
    List<String> chartNames = yamlFiles(chartCrds).stream().map(p -> p.getFileName().toString()).toList();
    assertThat(chartNames).as("files in %s vs %s; %s", chartCrds, crdDir, RESYNC)
        .containsExactlyElementsOf(generatedNames);
    for (Path source : generated) {
      Path copy = chartCrds.resolve(source.getFileName());
      assertThat(Files.mismatch(source, copy)).as("%s differs from %s; %s", copy, source, RESYNC).isEqualTo(-1L);
    }
  }

  @Test
  void chartCrdIsTheGracefulPolicyCrd() throws IOException {
    List<Path> files = yamlFiles(Chart.chartDir().resolve("crds"));
    assertThat(files).as("helm/graceful-operator/crds/ is empty; %s", RESYNC).isNotEmpty();
    KubernetesSerialization serialization = new KubernetesSerialization();
    boolean found = false;
    for (Path f : files) {
      CustomResourceDefinition crd = serialization.unmarshal(Chart.read(f), CustomResourceDefinition.class);
      if (crd.getMetadata().getName().equals("gracefulpolicies.graceful.io")) {
        found = true;
        assertThat(crd.getSpec().getGroup()).isEqualTo("graceful.io");
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo("GracefulPolicy");
        assertThat(crd.getSpec().getNames().getPlural()).isEqualTo("gracefulpolicies");
        assertThat(crd.getSpec().getVersions()).anySatisfy(v -> {
          assertThat(v.getServed()).isTrue();
          assertThat(v.getStorage()).isTrue();
          assertThat(v.getSubresources().getStatus()).isNotNull();
        });
      }
    }
    assertThat(found).as("a CRD named gracefulpolicies.graceful.io in %s", files).isTrue();
  }

  @Test
  void chartCarriesTheClusterScopedClusterGracefulPolicyCrd() throws IOException {
    KubernetesSerialization serialization = new KubernetesSerialization();
    CustomResourceDefinition crd = yamlFiles(Chart.chartDir().resolve("crds")).stream()
        .map(f -> serialization.unmarshal(Chart.read(f), CustomResourceDefinition.class))
        .filter(c -> c.getMetadata().getName().equals("clustergracefulpolicies.graceful.io")).findFirst()
        .orElseThrow(() -> new AssertionError("no clustergracefulpolicies.graceful.io CRD in crds/; " + RESYNC));
    assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
    assertThat(crd.getSpec().getNames().getKind()).isEqualTo("ClusterGracefulPolicy");
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("cgp");
    assertThat(crd.getSpec().getVersions()).anySatisfy(v -> assertThat(v.getSubresources().getStatus()).isNotNull());
  }

  // ---- crds.enabled: the same CRD as a template, so that helm upgrade upgrades it ----

  @Test
  void templatedCrdIsTheCrdsDirectoryCopyWithReleaseLabelsAndKeep() throws IOException {
    assertThat(Chart.render().objects()).noneMatch(o -> o.getKind().equals("CustomResourceDefinition"));
    KubernetesSerialization serialization = new KubernetesSerialization();
    Chart.Rendered r = Chart.Rendered.parse(Chart.template().set("crds.enabled", true).call());
    List<CustomResourceDefinition> crds = r.objects().stream().filter(o -> o.getKind().equals(
        "CustomResourceDefinition")).map(o -> serialization.unmarshal(serialization.asYaml(o),
        CustomResourceDefinition.class)).toList();
    List<Path> files = yamlFiles(Chart.chartDir().resolve("crds"));
    assertThat(crds).hasSameSizeAs(files);
    for (Path f : files) {
      CustomResourceDefinition source = serialization.unmarshal(Chart.read(f), CustomResourceDefinition.class);
      CustomResourceDefinition templated = crds.stream()
          .filter(c -> c.getMetadata().getName().equals(source.getMetadata().getName())).findFirst().orElseThrow();
      assertThat(serialization.asYaml(templated.getSpec())).as("spec of the templated %s vs %s",
          source.getMetadata().getName(), f).isEqualTo(serialization.asYaml(source.getSpec()));
      assertThat(templated.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
      assertThat(templated.getMetadata().getLabels()).containsEntry("app.kubernetes.io/instance", Chart.RELEASE)
          .containsEntry("app.kubernetes.io/managed-by", "Helm");
    }
    CustomResourceDefinition notKept = Chart.Rendered.parse(Chart.template().set("crds.enabled", true)
        .set("crds.keep", false).set("crds.annotations.example\\.com/owner", "platform").call())
        .objects().stream().filter(o -> o.getKind().equals("CustomResourceDefinition"))
        .map(o -> serialization.unmarshal(serialization.asYaml(o), CustomResourceDefinition.class))
        .findFirst().orElseThrow();
    assertThat(notKept.getMetadata().getAnnotations()).doesNotContainKey("helm.sh/resource-policy")
        .containsEntry("example.com/owner", "platform");
  }
}
