package io.graceful.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command-line tool (kubectl, helm, the control-plane script) with a bounded wait and captures its output. */
final class Cli {
  /** What one command printed and how it ended. */
  record Result(List<String> command, int exitCode, String stdout, String stderr) {
    boolean ok() {
      return exitCode == 0;
    }

    /** The output, failing the caller with everything the tool said when it did not succeed. */
    String orFail() {
      if (!ok()) {
        throw new AssertionError(this.toString());
      }
      return stdout;
    }

    @Override
    public String toString() {
      return String.join(" ", command) + " -> exit " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
  }

  private Cli() {
  }

  static Result run(Map<String, String> env, String stdin, long timeoutSeconds, List<String> command) {
    try {
      Path out = Files.createTempFile("e2e-cli", ".out");
      Path err = Files.createTempFile("e2e-cli", ".err");
      try {
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (stdin != null) {
          p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new AssertionError(command + " did not finish within " + timeoutSeconds + " s");
        }
        return new Result(List.copyOf(command), p.exitValue(), Files.readString(out), Files.readString(err));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static List<String> concat(String first, String... rest) {
    List<String> all = new ArrayList<>();
    all.add(first);
    all.addAll(List.of(rest));
    return all;
  }
}
