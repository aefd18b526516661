package io.graceful.charttests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Renders helm/graceful-operator with the real Helm embedded in helm-java and parses what it renders.
 *
 * <p>System properties (set by the module's surefire configuration):
 * <ul>
 *   <li>{@code graceful.rootDir}: the repository root (helm/, crd/, deploy/ live there);
 *   <li>{@code graceful.regenerate}: {@code true} rewrites golden files and deploy/ instead of failing on drift.
 * </ul>
 */
final class Chart {

  static final String RELEASE = "graceful";
  static final String NAMESPACE = "graceful-system";
  static final String FULLNAME = "graceful-graceful-operator";
  static final String SERVICE_ACCOUNT = FULLNAME;
  /**
   * Cluster version used for the golden render and deploy/. Any version >= 1.30 renders the same (the chart
   * only looks at the version to pick the native preStop sleep action); pinned so the render does not change
   * when the Helm library's built-in default does.
   */
  static final String DEFAULT_KUBE_VERSION = "v1.30.0";

  static final String REGENERATE_HINT =
      "regenerate with: mvn -B -pl chart-tests test -Dgraceful.regenerate=true (from the repository root), "
          + "then review the diff";

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  private Chart() {}

  static Path root() {
    String configured = System.getProperty("graceful.rootDir");
    Path root = configured != null ? Path.of(configured) : Path.of("..");
    root = root.toAbsolutePath().normalize();
    if (!Files.isDirectory(root.resolve("helm/graceful-operator"))) {
      throw new IllegalStateException("graceful.rootDir=" + root + " does not contain helm/graceful-operator");
    }
    return root;
  }

  static Path chartDir() {
    return root().resolve("helm/graceful-operator");
  }

  static Path valuesFile(String name) {
    Path p = Path.of("src/test/resources/values", name).toAbsolutePath();
    assertThat(p).as("values file").exists();
    return p;
  }

  static boolean regenerate() {
    return Boolean.getBoolean("graceful.regenerate");
  }

  /** A template call for release "graceful" in "graceful-system", CRDs left out, the pinned cluster version. */
  static TemplateCommand template() {
    return new Helm(chartDir()).template()
        .withName(RELEASE)
        .withNamespace(NAMESPACE)
        .withKubeVersion(DEFAULT_KUBE_VERSION)
        .skipCrds();
  }

  /** Renders with values files (in order) and returns the raw YAML. */
  static String renderRaw(String... valuesFiles) {
    TemplateCommand t = template();
    for (String f : valuesFiles) {
      t = t.withValuesFile(valuesFile(f));
    }
    return t.call();
  }

  static Rendered render(String... valuesFiles) {
    return Rendered.parse(renderRaw(valuesFiles));
  }

  /** Renders and returns the Helm error message; fails if rendering succeeds. */
  static String renderError(TemplateCommand command) {
    try {
      String out = command.call();
      return fail("expected rendering to fail, but it rendered:%n%s", out);
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
  }

  static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Compares a generated file with its committed copy; with -Dgraceful.regenerate=true writes it instead.
   */
  static void assertFileMatches(Path file, String expected) {
    if (regenerate()) {
      try {
        Files.createDirectories(file.getParent());
        Files.writeString(file, expected, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      System.out.println("[graceful.regenerate] wrote " + file);
      return;
    }
    if (!Files.exists(file)) {
      fail("%s does not exist; %s", file, REGENERATE_HINT);
    }
    String actual = read(file);
    if (!actual.equals(expected)) {
      fail("%s differs from a fresh render of the chart (%s).%nFirst difference: %s", file, REGENERATE_HINT,
          firstDifference(expected, actual));
    }
  }

  static String firstDifference(String expected, String actual) {
    String[] e = expected.split("\n", -1);
    String[] a = actual.split("\n", -1);
    for (int i = 0; i < Math.max(e.length, a.length); i++) {
      String el = i < e.length ? e[i] : "<end of file>";
      String al = i < a.length ? a[i] : "<end of file>";
      if (!el.equals(al)) {
        return "line " + (i + 1) + ": expected [" + el + "] but the file has [" + al + "]";
      }
    }
    return "none";
  }

  /** The objects of one render, in render order. */
  record Rendered(String raw, List<HasMetadata> objects) {

    static Rendered parse(String yaml) {
      List<HasMetadata> objects = new ArrayList<>();
      for (String doc : DOCUMENT_SEPARATOR.split(yaml)) {
        boolean empty = doc.lines().map(String::strip).allMatch(l -> l.isEmpty() || l.startsWith("#"));
        if (!empty) {
          objects.add(SERIALIZATION.unmarshal(doc, HasMetadata.class));
        }
      }
      return new Rendered(yaml, List.copyOf(objects));
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
      return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type) {
      List<T> found = all(type);
      assertThat(found).as("objects of type %s", type.getSimpleName()).hasSize(1);
      return found.get(0);
    }

    Deployment deployment() {
      return one(Deployment.class);
    }

    Map<String, String> env() {
      Map<String, String> env = new LinkedHashMap<>();
      deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()
          .forEach(e -> env.put(e.getName(), e.getValue()));
      return env;
    }

    /** "Kind namespace/name" of every object, for readable assertions. */
    List<String> ids() {
      return objects.stream().map(Chart::id).collect(Collectors.toList());
    }
  }

  static String id(HasMetadata o) {
    String ns = o.getMetadata().getNamespace();
    return o.getKind() + " " + (ns == null ? "" : ns + "/") + o.getMetadata().getName();
  }
}
