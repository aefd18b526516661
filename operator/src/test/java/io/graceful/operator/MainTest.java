package io.graceful.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.runtime.HttpEndpoints;
import io.graceful.operator.runtime.OperatorMetrics;
import io.graceful.operator.runtime.StartFailedException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The command line ({@code --version}, {@code --help}, anything else) and the start-up step that binds the HTTP
 * port. The same through the shaded jar as a real process: OperatorProcessIT.
 */
class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private OptionalInt run(String... args) {
    return Main.commandLine(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void noArgumentsRunsTheOperator() {
    assertThat(run()).isEmpty();
    assertThat(out()).isEmpty();
    assertThat(err()).isEmpty();
  }

  @Test
  void versionIsOneLineWithTheBuiltVersion() {
    assertThat(run("--version")).hasValue(0);
    assertThat(out()).isEqualTo("graceful-operator " + BuildInfo.version() + System.lineSeparator());
    assertThat(BuildInfo.version()).as("the Maven project version, filtered in").matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(err()).isEmpty();
  }

  @Test
  void helpListsEverySettingWithItsDefaultOnOneLine() {
    assertThat(run("--help")).hasValue(0);
    List<String> lines = out().lines().toList();
    assertThat(lines.get(0)).startsWith("graceful-operator " + BuildInfo.version());
    for (OperatorConfig.Setting setting : OperatorConfig.SETTINGS) {
      List<String> mentioning = lines.stream().filter(l -> l.trim().startsWith(setting.env() + " ")).toList();
      assertThat(mentioning).as("lines of %s", setting.env()).hasSize(1);
      assertThat(mentioning.get(0)).contains("[" + setting.defaultValue() + "]").endsWith(setting.description());
    }
    assertThat(out()).contains("Exit codes: 0").contains(Main.EXIT_INVALID_CONFIG + " invalid configuration")
        .contains(Main.EXIT_START_FAILURE + " start-up failed");
    assertThat(run("-h")).hasValue(0);
  }

  @Test
  void anUnknownArgumentIsAnErrorWithExitCodeTwo() {
    for (String[] args : List.of(new String[] {"--verbose"}, new String[] {"run"}, new String[] {"--version", "x"},
        new String[] {"--help", "--version"})) {
      out.reset();
      err.reset();
      assertThat(run(args)).as(Arrays.toString(args)).hasValue(Main.EXIT_INVALID_CONFIG);
      assertThat(err()).as(Arrays.toString(args)).contains("unknown argument").contains(String.join(" ", args))
          .contains("--help");
      assertThat(out()).isEmpty();
    }
  }

  @Test
  void aPortInUseIsAStartFailureNamingThePortAndTheVariable() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(0));
      int port = taken.getLocalPort();
      OperatorConfig config = OperatorConfig.fromEnvironment(Map.of("GRACEFUL_HTTP_PORT", Integer.toString(port)));
      assertThatThrownBy(() -> Main.serve(config, Optional::empty, () -> true, new OperatorMetrics("1.2.3")))
          .isInstanceOf(StartFailedException.class)
          .hasMessageContaining("port " + port + " (GRACEFUL_HTTP_PORT) is already in use");
    }
  }

  @Test
  void portZeroServesNothing() {
    assertThat(Main.serve(OperatorConfig.defaults().withHttpPort(0), Optional::empty, () -> true,
        new OperatorMetrics("1.2.3"))).isNull();
  }

  @Test
  void aFreePortIsServed() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    try (HttpEndpoints served = Main.serve(OperatorConfig.defaults().withHttpPort(port), Optional::empty, () -> true,
        new OperatorMetrics("1.2.3"))) {
      assertThat(served.port()).isEqualTo(port);
    }
  }
}
