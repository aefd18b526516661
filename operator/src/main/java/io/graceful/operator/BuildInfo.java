package io.graceful.operator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What was built: the Maven project version, written into {@code build.properties} by resource filtering at build
 * time (so it is the same in the shaded jar, the image and a test run from target/classes). No commit id or build
 * time: they would make two builds of the same sources differ, and the image build has no .git to read them from.
 */
public final class BuildInfo {
  public static final String NAME = "graceful-operator";
  private static final String VERSION = load();

  private BuildInfo() {
  }

  /** The Maven project version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String version() {
    return VERSION;
  }

  /** {@code graceful-operator <version>}: what {@code --version} prints and the start-up log says. */
  public static String line() {
    return NAME + " " + VERSION;
  }

  private static String load() {
    try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
      if (in == null) {
        throw new IllegalStateException("build.properties is missing from the classpath (a broken build)");
      }
      Properties p = new Properties();
      p.load(in);
      String version = p.getProperty("version", "");
      if (version.isBlank() || version.contains("${")) {
        throw new IllegalStateException("build.properties was not filtered by Maven: version=" + version);
      }
      return version;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
