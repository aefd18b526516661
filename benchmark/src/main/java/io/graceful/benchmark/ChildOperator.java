package io.graceful.benchmark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The operator running in its own JVM ({@link OperatorProcess}), with its heap, RSS and CPU time readable. */
final class ChildOperator implements AutoCloseable {
  private final Process process;
  private final PrintWriter stdin;
  private final BlockingQueue<String> protocol = new LinkedBlockingQueue<>();
  final long launchedNanos;
  /** The child's System.nanoTime() at start-up, as it reported it, and ours when the line arrived. */
  private volatile long childClock = -1;
  private volatile long clockReceived = -1;

  private ChildOperator(Process process, long launchedNanos, Path log, RequestLog requests) throws IOException {
    this.process = process;
    this.launchedNanos = launchedNanos;
    this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    Writer logWriter = Files.newBufferedWriter(log.resolveSibling(log.getFileName() + ".stderr"));
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
          StandardCharsets.UTF_8)); logWriter) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.startsWith("BENCH req ") && requests != null) {
            requests.recordClientLine(line.substring(10));
          } else if (line.startsWith("BENCH clock ")) {
            clockReceived = System.nanoTime();
            childClock = Long.parseLong(line.substring(12).trim());
          } else if (line.startsWith("BENCH ")) {
            protocol.add(line.substring(6));
          } else {
            logWriter.write(line);
            logWriter.write('\n');
            logWriter.flush();
          }
        }
      } catch (IOException e) {
        // process gone
      }
    }, "child-stderr");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@link OperatorProcess} from this JVM's class path with the given environment (KUBECONFIG and the
   * GRACEFUL_* settings; inherited GRACEFUL_* variables are dropped so they cannot change the run). With
   * {@code clientRequests} non-null the child reports every request its client sends ({@link ClientRequestLog})
   * and they are recorded there.
   */
  static ChildOperator launch(Map<String, String> env, List<String> jvmArgs, Path log, RequestLog clientRequests)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    if (clientRequests != null) {
      command.add("-D" + ClientRequestLog.PROPERTY + "=true");
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(OperatorProcess.class.getName());
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("GRACEFUL_") || k.equals("KUBECONFIG"));
    pb.environment().putAll(env);
    pb.redirectOutput(log.toFile());
    long launched = System.nanoTime();
    return new ChildOperator(pb.start(), launched, log, clientRequests);
  }

  /**
   * Whether the child's System.nanoTime() is this JVM's clock (CLOCK_MONOTONIC on Linux): the value it reported at
   * start-up lies between our launch and our receipt of the line. The client request log's times rely on it.
   */
  boolean sharesOurClock() {
    long c = childClock;
    return c >= 0 && c >= launchedNanos && c <= clockReceived;
  }

  long pid() {
    return process.pid();
  }

  void send(String command) {
    stdin.println(command);
  }

  /** The next protocol line starting with {@code prefix}; other lines are skipped (errors are thrown). */
  String await(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      // in slices of at most a second, so that a process that died (e.g. out of memory) is noticed at once
      String line = protocol.poll(Math.max(1, Math.min(left, TimeUnit.SECONDS.toNanos(1))), TimeUnit.NANOSECONDS);
      if (line == null) {
        if (!process.isAlive()) {
          throw new IllegalStateException("operator process exited with " + process.exitValue()
              + " while waiting for '" + prefix + "' (see its log)");
        }
        if (System.nanoTime() >= deadline) {
          throw new IllegalStateException("timed out waiting for '" + prefix + "' from the operator process");
        }
        continue;
      }
      if (line.startsWith("error")) {
        throw new IllegalStateException("operator process: " + line);
      }
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** User + system CPU seconds of the process so far, from /proc (Linux). */
  double cpuSeconds() {
    return ProcStat.cpuSeconds(process.pid());
  }

  long rssKiB() {
    return ProcStat.statusKiB(process.pid(), "VmRSS:");
  }

  long hwmKiB() {
    return ProcStat.statusKiB(process.pid(), "VmHWM:");
  }

  String jcmd(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    command.add(Long.toString(process.pid()));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(60, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "jcmd failed: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Asks the operator to stop (as SIGTERM would) and waits for the process to end. */
  void stop() throws InterruptedException {
    if (process.isAlive()) {
      send("stop");
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
