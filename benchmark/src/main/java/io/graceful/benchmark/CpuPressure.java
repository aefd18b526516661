package io.graceful.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Linux pressure stall information for CPU ({@code /proc/pressure/cpu}, "some" line): the share of wall time in
 * which at least one runnable task waited for a CPU. On a 2-core machine shared with other people's builds this
 * says how contended a measured phase was, which the load average (a 1-minute decaying mean) cannot pin to a phase.
 */
final class CpuPressure {
  private CpuPressure() {
  }

  /** Cumulative microseconds of "some" CPU stall since boot, -1 where PSI is not available. */
  static long stalledMicros() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/pressure/cpu"))) {
        if (line.startsWith("some ")) {
          for (String f : line.split(" ")) {
            if (f.startsWith("total=")) {
              return Long.parseLong(f.substring(6));
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // no PSI (older kernel, or not Linux)
    }
    return -1;
  }

  /** "NN% of the time some task waited for a CPU" over a window, or "n/a". */
  static String describe(long stalledBefore, long stalledAfter, long wallNanos) {
    if (stalledBefore < 0 || stalledAfter < 0 || wallNanos <= 0) {
      return "n/a";
    }
    return String.format(java.util.Locale.ROOT, "%.0f%%", 100.0 * (stalledAfter - stalledBefore) * 1000 / wallNanos);
  }
}
