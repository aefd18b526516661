package io.graceful.operator.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The planning core decides everything and must stay a pure function of model objects: no Kubernetes client, no
 * operator framework, no clock, no environment. The CRD POJOs it reads are plain too (only the resource class
 * itself extends the client's CustomResource, and the core never imports it).
 */
class PureCoreTest {
  private static final List<String> FORBIDDEN = List.of("io.fabric8.kubernetes.client", "io.javaoperatorsdk",
      "org.slf4j", "java.time.Clock", "System.getenv", "System.currentTimeMillis", "Instant.now",
      "io.graceful.operator.controller", "io.graceful.operator.runtime", "api.v1alpha1.GracefulPolicy;",
      "api.v1alpha1.ClusterGracefulPolicy;");

  @Test
  void coreImportsNoClientFrameworkOrClock() throws IOException {
    assertNoForbidden(Path.of("src/main/java/io/graceful/operator/core"));
  }

  /** The custom resource classes, which extend the client's CustomResource; everything else is a plain POJO. */
  private static final List<String> RESOURCE_CLASSES = List.of("GracefulPolicy.java", "ClusterGracefulPolicy.java");

  @Test
  void specAndStatusClassesArePlain() throws IOException {
    try (Stream<Path> files = Files.walk(Path.of("src/main/java/io/graceful/operator/api/v1alpha1"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> !RESOURCE_CLASSES.contains(p.getFileName().toString())).toList()) {
        assertThat(Files.readString(f)).as(f.toString()).doesNotContain("io.fabric8.kubernetes.client")
            .doesNotContain("io.javaoperatorsdk");
      }
    }
  }

  private static void assertNoForbidden(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      List<Path> sources = files.filter(p -> p.toString().endsWith(".java")).toList();
      assertThat(sources).isNotEmpty();
      for (Path f : sources) {
        String text = Files.readString(f);
        for (String bad : FORBIDDEN) {
          assertThat(text).as("%s must not use %s", f.getFileName(), bad).doesNotContain(bad);
        }
      }
    }
  }
}
