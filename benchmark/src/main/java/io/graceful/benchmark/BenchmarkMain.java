package io.graceful.benchmark;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar benchmark/target/graceful-benchmark.jar [scale] [--api mock|real --namespaces 1000
 * --per-namespace 10 --idle-seconds 60 --restart-seconds 30 --threads N --mock indexed|stock --operator-jvm "-Xmx..."
 * --out benchmark/target --mix 100:0:0]}: the scale benchmark; {@code --mix D:S:DS} makes D% of the workloads
 * Deployments, S% StatefulSets and DS% DaemonSets ({@link Workload}). {@code --budget N} (mock only, Deployments only)
 * runs the operator with
 * GRACEFUL_MAX_CONCURRENT_ROLLOUTS=N instead of 0, Deployments with running pods, and a fake Deployment controller
 * ({@link FakeRolloutController}) that completes each rollout after {@code --rollout-seconds 5} +- {@code
 * --rollout-jitter 0.2}. With {@code --api real} also {@code --kubeconfig FILE} (reuse a
 * running control plane instead of starting one), {@code --controllers none|default|LIST}, {@code --apiserver-port
 * 26443 --etcd-port 22379 --kcm-port 20357 --control-plane-state DIR --control-plane-script e2e/control-plane.sh
 * --crd-dir crd}; with {@code --api mock}, {@code --client-log true} cross-checks the operator client's request log.
 * <br>
 * {@code java -jar benchmark/target/graceful-benchmark.jar jmh [JMH options]}: the JMH benchmark of the planning
 * core (default options {@code -f 1 -wi 5 -i 5 -w 3s -r 3s}).
 * <br>
 * {@code java -jar benchmark/target/graceful-benchmark.jar drain [--workloads 10000 --pods 3 --namespaces 1000
 * --rounds 1]}: drain measurement's state under pod churn ({@link DrainBenchmark}).
 * {@code java -jar benchmark/target/graceful-benchmark.jar drain-operator [--namespaces 1000 --per-namespace 10
 * --churn 1000 --rounds 1 --threads 4 --out DIR]}: the running operator with drain measurement off and on under the
 * same pod churn on the mock API server ({@link DrainOperatorBenchmark}).
 * {@code java -jar benchmark/target/graceful-benchmark.jar admission [--namespaces N --policies N --requests N
 * --warmup N --concurrency N]}: the admission webhook's answer time ({@link AdmissionBenchmark}).
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
    if (!list.isEmpty() && list.get(0).equals("drain")) {
      Map<String, String> drainOpts = new HashMap<>();
      for (int i = 1; i + 1 < list.size(); i += 2) {
        drainOpts.put(list.get(i).replaceFirst("^--", ""), list.get(i + 1));
      }
      DrainBenchmark.run(drainOpts);
      return;
    }
    if (!list.isEmpty() && list.get(0).equals("drain-operator")) {
      Map<String, String> opts = new HashMap<>();
      for (int i = 1; i + 1 < list.size(); i += 2) {
        opts.put(list.get(i).replaceFirst("^--", ""), list.get(i + 1));
      }
      new DrainOperatorBenchmark(opts).run();
      System.exit(0);
    }
    if (!list.isEmpty() && list.get(0).equals("admission")) {
      Map<String, String> opts = new HashMap<>();
      for (int i = 1; i + 1 < list.size(); i += 2) {
        opts.put(list.get(i).replaceFirst("^--", ""), list.get(i + 1));
      }
      AdmissionBenchmark.run(opts);
      System.exit(0);
    }
    if (!list.isEmpty() && list.get(0).equals("scale")) {
      list = list.subList(1, list.size());
    }
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      String a = list.get(i);
      if (!a.startsWith("--") || i + 1 >= list.size()) {
        System.err.println("usage: [scale] [--api mock|real] [--namespaces N] [--per-namespace N] "
            + "[--idle-seconds S] [--restart-seconds S] [--threads N] [--operator-jvm ARGS] [--out DIR] "
            + "[--timeout-seconds S] [--mix D:S:DS, e.g. 70:20:10]\n  mock: [--mock indexed|stock] [--client-log true|false] [--budget N "
            + "[--rollout-seconds S] [--rollout-jitter 0.2]]\n"
            + "  real: [--kubeconfig FILE] [--controllers none|default|LIST] [--apiserver-port 26443] "
            + "[--etcd-port 22379] [--kcm-port 20357] [--control-plane-state DIR] [--control-plane-script FILE] "
            + "[--crd-dir crd]\n | jmh [JMH options]");
        System.exit(2);
      }
      opts.put(a.substring(2), list.get(++i));
    }
    new ScaleBenchmark(opts).run();
    System.exit(0);
  }
}
