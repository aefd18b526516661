package io.graceful.benchmark;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar benchmark/target/graceful-benchmark.jar [scale] [--namespaces 1000 --per-namespace 10
 * --idle-seconds 60 --restart-seconds 30 --threads 4 --mock indexed|stock --operator-jvm "-Xmx..."
 * --out benchmark/target]}: the scale
 * benchmark.<br>
 * {@code java -jar benchmark/target/graceful-benchmark.jar jmh [JMH options]}: the JMH benchmark of the planning
 * core (default options {@code -f 1 -wi 5 -i 5 -w 3s -r 3s}).
 */
public final class BenchmarkMain {
  private BenchmarkMain() {
  }

  public static void main(String[] args) throws Exception {
    List<String> list = Arrays.asList(args);
    if (!list.isEmpty() && list.get(0).equals("jmh")) {
      String[] rest = list.subList(1, list.size()).toArray(String[]::new);
      if (rest.length == 0) {
        rest = new String[] {"-f", "1", "-wi", "5", "-i", "5", "-w", "3s", "-r", "3s",
            PlannerBenchmark.class.getName()};
      }
      org.openjdk.jmh.Main.main(rest);
      return;
    }
    if (!list.isEmpty() && list.get(0).equals("scale")) {
      list = list.subList(1, list.size());
    }
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      String a = list.get(i);
      if (!a.startsWith("--") || i + 1 >= list.size()) {
        System.err.println("usage: [scale] [--namespaces N] [--per-namespace N] [--idle-seconds S] "
            + "[--restart-seconds S] [--threads N] [--mock indexed|stock] [--operator-jvm ARGS] [--out DIR]"
            + " | jmh [JMH options]");
        System.exit(2);
      }
      opts.put(a.substring(2), list.get(++i));
    }
    new ScaleBenchmark(opts).run();
    System.exit(0);
  }
}
