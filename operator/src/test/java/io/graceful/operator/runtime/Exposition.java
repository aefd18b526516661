package io.graceful.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Checks of a Prometheus text scrape that every test serving /metrics shares. */
public final class Exposition {
  /** System property (set by CI through the operator pom) that turns a missing promtool into a failure. */
  static final String REQUIRE_PROMTOOL = "graceful.requirePromtool";

  private Exposition() {
  }

  /** Every {@code # TYPE} family of the scrape has a {@code # HELP} line with text (dashboards and promtool show it). */
  public static void assertEveryFamilyHasHelp(String scrape) {
    Map<String, String> help = new LinkedHashMap<>();
    Matcher h = Pattern.compile("(?m)^# HELP (\\S+) ?(.*)$").matcher(scrape);
    while (h.find()) {
      help.put(h.group(1), h.group(2).trim());
    }
    List<String> types = new ArrayList<>();
    Matcher t = Pattern.compile("(?m)^# TYPE (\\S+) \\S+$").matcher(scrape);
    while (t.find()) {
      types.add(t.group(1));
    }
    assertThat(types).as("the scrape has metric families").isNotEmpty();
    List<String> missing = types.stream().filter(name -> help.getOrDefault(name, "").isEmpty()).toList();
    assertThat(missing).as("families without HELP text").isEmpty();
  }

  /**
   * Pipes the scrape to {@code promtool check metrics} (the Prometheus project's own linter: names, units, suffixes,
   * HELP, duplicates) and fails with its findings. Without promtool on the PATH the test is skipped, visibly, unless
   * {@value #REQUIRE_PROMTOOL}=true, where that is a failure (CI installs it and must not pass without it).
   */
  public static void assertPromtoolAccepts(String scrape) throws IOException, InterruptedException {
    Path promtool = onPath("promtool");
    if (promtool == null) {
      if (Boolean.getBoolean(REQUIRE_PROMTOOL)) {
        fail("promtool is not on the PATH but -D" + REQUIRE_PROMTOOL + "=true: install it (Debian/Ubuntu package "
            + "'prometheus') or drop the property");
      }
      assumeTrue(false, "SKIPPED: promtool is not on the PATH, so the scrape was not linted (install the Debian "
          + "package 'prometheus'; -D" + REQUIRE_PROMTOOL + "=true makes this a failure)");
    }
    Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(scrape.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    assertThat(p.exitValue()).as("promtool check metrics exit code; its findings:%n%s", out).isZero();
  }

  private static Path onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, command);
      if (!dir.isEmpty() && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
