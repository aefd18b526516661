package io.graceful.charttests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Files generated from the chart and committed: the golden default render and deploy/. Both must equal a fresh
 * render; {@code -Dgraceful.regenerate=true} rewrites them instead (then review the diff and commit).
 *
 * <p>deploy/ is the chart's default render for release "graceful" in namespace "graceful-system", plus the
 * Namespace (labelled for Pod Security "restricted") and the CRD, so that {@code kubectl apply -f deploy/} or
 * {@code kubectl apply -k deploy/} installs the same thing as {@code helm install} with default values.
 */
class GeneratedFilesTest {

  static final String GENERATED_HEADER = """
      # GENERATED from helm/graceful-operator (default values, release "graceful", namespace "graceful-system").
      # Do not edit: change the chart, then run from the repository root
      #   mvn -B -pl chart-tests test -Dgraceful.regenerate=true
      # chart-tests fails when this file and a fresh render differ.
      """;

  static final String NAMESPACE_YAML = """
      apiVersion: v1
      kind: Namespace
      metadata:
        name: graceful-system
        labels:
          app.kubernetes.io/part-of: graceful-operator
          # the operator pod passes the "restricted" Pod Security profile; enforce it
          pod-security.kubernetes.io/enforce: restricted
          pod-security.kubernetes.io/enforce-version: latest
          pod-security.kubernetes.io/warn: restricted
          pod-security.kubernetes.io/audit: restricted
      """;

  /**
   * Kustomize also accepts a file named "Kustomization"; without a .yaml extension `kubectl apply -f deploy/`
   * skips it (a kustomization.yaml would be sent to the API server as an object and fail the apply).
   */
  static final String KUSTOMIZATION = "Kustomization";

  static final String KUSTOMIZATION_NOTE = """
      # For `kubectl apply -k deploy/`. Named without .yaml on purpose: `kubectl apply -f deploy/` reads every
      # .yaml/.yml file of the directory and would try to create this file as an object.
      """;

  @Test
  void goldenDefaultRender() {
    Path golden = Path.of("src/test/resources/golden/default.yaml").toAbsolutePath();
    Chart.assertFileMatches(golden, Chart.renderRaw());
  }

  /** The expected content of deploy/, file name to content, in apply order. */
  static Map<String, String> expectedDeployFiles() throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("00-namespace.yaml", GENERATED_HEADER + NAMESPACE_YAML);
    for (Path crd : CrdSyncTest.generatedCrds()) {
      files.put("10-crd-" + crd.getFileName(), Chart.read(crd));
    }
    files.put("20-graceful-operator.yaml", GENERATED_HEADER + Chart.renderRaw());
    StringBuilder k = new StringBuilder(GENERATED_HEADER).append(KUSTOMIZATION_NOTE)
        .append("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n");
    files.keySet().forEach(f -> k.append("  - ").append(f).append('\n'));
    files.put(KUSTOMIZATION, k.toString());
    return files;
  }

  @Test
  void deployDirectoryEqualsAFreshRender() throws IOException {
    Path deploy = Chart.root().resolve("deploy");
    Map<String, String> expected = expectedDeployFiles();
    Set<String> present = new TreeSet<>();
    if (Files.isDirectory(deploy)) {
      try (Stream<Path> s = Files.list(deploy)) {
        s.map(p -> p.getFileName().toString()).filter(n -> n.matches(".*\\.ya?ml")).forEach(present::add);
      }
    }
    if (Chart.regenerate()) {
      for (String stale : present) {
        if (!expected.containsKey(stale)) {
          Files.delete(deploy.resolve(stale));
          System.out.println("[graceful.regenerate] deleted " + deploy.resolve(stale));
        }
      }
    } else {
      // exactly the expected manifests: `kubectl apply -f deploy/` applies every YAML file it finds there
      assertThat(present).as("YAML files in %s; %s", deploy, Chart.REGENERATE_HINT)
          .containsExactlyInAnyOrderElementsOf(expected.keySet().stream().filter(n -> !n.equals(KUSTOMIZATION))
              .toList());
    }
    expected.forEach((name, content) -> Chart.assertFileMatches(deploy.resolve(name), content));
  }

  /** deploy/ holds the chart's default objects, plus exactly the Namespace and the CRD. */
  @Test
  void deployOperatorManifestIsTheChartsDefaultRender() throws IOException {
    Path manifest = Chart.root().resolve("deploy/20-graceful-operator.yaml");
    assertThat(manifest).exists();
    assertThat(Chart.Rendered.parse(Chart.read(manifest)).ids()).isEqualTo(Chart.render().ids());
  }

  /** `kubectl kustomize deploy/` accepts the kustomization and yields every object of deploy/. */
  @Test
  void kustomizationBuilds() throws Exception {
    Path deploy = Chart.root().resolve("deploy");
    List<String> cmd = List.of("kubectl", "kustomize", deploy.toString());
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    } catch (IOException e) {
      throw new AssertionError("kubectl is required on PATH for this test (docs/rules.md)", e);
    }
    byte[] out = p.getInputStream().readAllBytes();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s failed: %s", cmd, err).isZero();
    Chart.Rendered built = Chart.Rendered.parse(new String(out, StandardCharsets.UTF_8));

    List<String> expectedIds = new ArrayList<>();
    expectedIds.add("Namespace graceful-system");
    for (Path crd : CrdSyncTest.generatedCrds()) {
      expectedIds.addAll(Chart.Rendered.parse(Chart.read(crd)).ids());
    }
    expectedIds.addAll(Chart.render().ids());
    assertThat(built.ids()).containsExactlyInAnyOrderElementsOf(expectedIds);
  }
}
