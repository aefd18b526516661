package io.graceful.benchmark;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.graceful.benchmark.RequestLog.Request;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.core.GracefulAnnotations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;

/**
 * {@code java -jar graceful-benchmark.jar drain-operator [--namespaces 1000 --per-namespace 10 --churn 1000 --rounds 1
 * --threads 4 --mock indexed|stock --log-level INFO --out benchmark/target/drain-operator]}: the cost of drain
 * measurement in the running operator. The operator ({@link OperatorProcess}, own JVM) runs twice,
 * GRACEFUL_MEASURE_DRAIN off and then on, each against a fresh mock API server holding the scale benchmark's cluster
 * ({@link Workload}: Deployments, policies per namespace). Once it has converged, one running pod per Deployment
 * (owned by the ReplicaSet {@code <deployment>-5f6d7c}, label {@code pod-template-hash}) and one EndpointSlice per
 * Deployment routing to it are created; then per round {@code --churn} pods are deleted with grace 30 s (a finalizer
 * keeps them terminating; the mock sets deletionTimestamp to the request time and no deletionGracePeriodSeconds,
 * the same termination start as a real server's), their slices mark them not ready, a replacement pod is created and
 * routed instead, and the old pods go (finalizer removed, deleted). Reports, per run: the operator's heap after full
 * GCs (converged, after churn), its CPU time and API requests during churn (the mock server's own record), the drain
 * samples in the policy statuses, and the wall time (BENCHMARKS.md).
 */
final class DrainOperatorBenchmark {
  private static final String HASH = "5f6d7c";
  private static final String HOLD = "graceful.io/benchmark-hold";
  private static final long GRACE = 30;

  private final Workload workload;
  private final int churn;
  private final int rounds;
  private final int threads;
  private final Path out;
  private final boolean indexedMock;
  private final String logLevel;
  private final List<Deployment> deployments = new ArrayList<>();
  /** Per Deployment: its current pod (name, uid). */
  private String[] podName;
  private String[] podUid;
  private int[] generation;
  private final MarkdownReport report = new MarkdownReport();

  DrainOperatorBenchmark(Map<String, String> opts) {
    int namespaces = Integer.parseInt(opts.getOrDefault("namespaces", "1000"));
    int perNamespace = Integer.parseInt(opts.getOrDefault("per-namespace", "10"));
    workload = new Workload(namespaces, perNamespace);
    churn = Integer.parseInt(opts.getOrDefault("churn", "1000"));
    rounds = Integer.parseInt(opts.getOrDefault("rounds", "1"));
    threads = Integer.parseInt(opts.getOrDefault("threads", "4"));
    out = Path.of(opts.getOrDefault("out", "benchmark/target/drain-operator"));
    indexedMock = !opts.getOrDefault("mock", "indexed").equals("stock");
    logLevel = opts.getOrDefault("log-level", "INFO");
    if (churn < 1 || churn > namespaces * perNamespace || rounds < 1) {
      throw new IllegalArgumentException("--churn must be 1..workloads, --rounds >= 1");
    }
  }

  void run() throws Exception {
    Files.createDirectories(out);
    long tStart = System.nanoTime();
    for (int n = 0; n < workload.namespaces(); n++) {
      deployments.addAll(workload.deployments(n));
    }
    int total = deployments.size();
    report.h("Drain measurement in the running operator under pod churn (drain-operator)");
    report.p("Mock API server (fabric8 %s, CRUD mode, indexed store), a fresh one per operator run; %d namespaces x %d "
        + "Deployments = %d Deployments, the scale benchmark's policies (one set per namespace), %d pods (one per "
        + "Deployment) and %d EndpointSlices created once the operator has converged; churn: %d rounds of %d pods "
        + "(%d terminations); operator in its own JVM, reconcile threads default.",
        io.fabric8.kubernetes.client.Version.clientVersion(), workload.namespaces(), workload.perNamespace(), total,
        total, total, rounds, churn, rounds * churn);
    List<List<String>> rows = new ArrayList<>();
    Map<String, Map<String, Long>> requestsByRun = new TreeMap<>();
    List<String> driverLines = new ArrayList<>();
    for (boolean measure : new boolean[] {false, true}) {
      String name = measure ? "on" : "off";
      // a fresh server per run: on the mock, drain measurement measured no pod that existed (with its slice)
      // before the operator started, and cleaning up 20,000 objects costs the mock a scan per DELETE
      try (MockApiBackend backend = new MockApiBackend(indexedMock, false);
          KubernetesClient driver = backend.newDriverClient()) {
        podName = new String[total];
        podUid = new String[total];
        generation = new int[total];
        long t = System.nanoTime();
        backend.installCrd(driver);
        parallel(workload.namespaces(), n -> {
          driver.namespaces().resource(workload.namespaceObject(n)).create();
          workload.policies(n).forEach(p -> driver.resource(p).create());
        });
        parallel(total, i -> driver.resource(deployments.get(i)).create());
        log("created %d namespaces, their policies and %d Deployments in %.1f s", workload.namespaces(), total,
            seconds(System.nanoTime() - t));
        RunResult r = runOperator(backend, driver, measure, 0);
        requestsByRun.put(name, r.requests);
        rows.add(List.of("GRACEFUL_MEASURE_DRAIN=" + measure, fmt("%.1f s", r.convergeSeconds),
            mib(r.heapConverged), mib(r.heapAfterChurn), fmt("%.1f s", r.churnWallSeconds),
            fmt("%.1f s", r.cpuSeconds), Long.toString(r.requests.values().stream().mapToLong(Long::longValue).sum()),
            Long.toString(r.samples), Long.toString(r.expectedSamples)));
        List<Request> driverReqs = backend.requests().requests().stream().filter(Request::fromDriver)
            .filter(q -> q.startNanos() >= r.churnStart && q.startNanos() < r.churnEnd).toList();
        driverLines.add(fmt("measurement %s: %d benchmark requests during churn, mock server handling time %.1f s "
            + "summed (operator's requests: %.1f s)", name, driverReqs.size(),
            driverReqs.stream().mapToLong(Request::nanos).sum() / 1e9, r.operatorServerNanos / 1e9));
      }
    }
    report.table(List.of("operator run", "start to converged", "heap after full GC, converged (pods and slices "
        + "created)", "heap after full GC, after churn", "churn wall time (incl. waiting for samples)",
        "operator CPU during churn", "operator API requests during churn",
        "samples in policy statuses (status.drain.samples, summed)", "terminated pods of governed Deployments"), rows);
    report.h("Operator API requests during churn, by verb and resource");
    java.util.Set<String> keys = new java.util.TreeSet<>();
    requestsByRun.values().forEach(m -> keys.addAll(m.keySet()));
    List<List<String>> reqRows = new ArrayList<>();
    for (String k : keys) {
      String[] vr = k.split(" ", 2);
      reqRows.add(List.of(vr[0], vr[1], Long.toString(requestsByRun.get("off").getOrDefault(k, 0L)),
          Long.toString(requestsByRun.get("on").getOrDefault(k, 0L))));
    }
    report.table(List.of("verb", "resource", "measurement off", "measurement on"), reqRows);
    report.p("%s; total wall time %.1f s.", String.join("; ", driverLines), seconds(System.nanoTime() - tStart));
    System.out.println();
    System.out.println(report);
    Files.writeString(out.resolve("drain-operator-report.md"), report.toString());
  }

  private record RunResult(double convergeSeconds, long heapConverged, long heapAfterChurn, double churnWallSeconds,
      double cpuSeconds, Map<String, Long> requests, long samples, long expectedSamples, long churnStart,
      long churnEnd, long operatorServerNanos) {}

  private RunResult runOperator(MockApiBackend backend, KubernetesClient driver, boolean measure, int round0)
      throws Exception {
    String name = measure ? "on" : "off";
    Map<String, String> env = Map.of("KUBECONFIG", backend.operatorKubeconfig(out).toAbsolutePath().toString(),
        "GRACEFUL_HTTP_PORT", "0", "GRACEFUL_MAX_CONCURRENT_ROLLOUTS", "0",
        "GRACEFUL_MAX_CONCURRENT_ROLLOUTS_PER_NAMESPACE", "0", "GRACEFUL_MEASURE_DRAIN", Boolean.toString(measure), "GRACEFUL_LOG_LEVEL", logLevel);
    ChildOperator operator = ChildOperator.launch(env, List.of(), out.resolve("operator-drain-" + name + ".log"),
        null);
    try {
      long t0 = operator.launchedNanos;
      operator.await("ready", Duration.ofMinutes(10));
      long pollMillis = 2000;
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (!ScaleBenchmark.policiesConverged(driver, p -> true)) {
        if (!operator.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("operator (drain " + name + ") did not converge");
        }
        Thread.sleep(pollMillis);
      }
      double converge = seconds(System.nanoTime() - t0);
      Thread.sleep(5000); // the follow-up events of its own writes
      log("operator (drain %s) converged after %.1f s", name, converge);
      // the pods and slices are created once the operator watches: on the mock, drain measurement measured no pod
      // that existed (with its slice) before the operator started (see BENCHMARKS.md)
      long tPods = System.nanoTime();
      parallel(deployments.size(), i -> {
        createPod(driver, i);
        driver.resource(slice(i, null)).create();
      });
      log("created %d pods and %d EndpointSlices in %.1f s", deployments.size(), deployments.size(),
          seconds(System.nanoTime() - tPods));
      Thread.sleep(5000);
      long heapConverged = heap(operator);
      long samplesBefore = samples(driver);
      // the Deployments a policy governs (Enforce: they carry the applied-policy annotation)
      boolean[] governed = new boolean[deployments.size()];
      java.util.Set<String> annotated = driver.apps().deployments().inAnyNamespace().list().getItems().stream()
          .filter(d -> d.getMetadata().getAnnotations() != null
              && d.getMetadata().getAnnotations().containsKey(GracefulAnnotations.APPLIED_POLICY))
          .map(d -> d.getMetadata().getNamespace() + "/" + d.getMetadata().getName())
          .collect(Collectors.toSet());
      for (int i = 0; i < governed.length; i++) {
        governed[i] = annotated.contains(key(i));
      }

      double cpu0 = operator.cpuSeconds();
      long tChurn = System.nanoTime();
      long expected = 0;
      for (int r = 0; r < rounds; r++) {
        int[] chosen = new int[churn];
        int first = (round0 + r) * churn;
        for (int k = 0; k < churn; k++) {
          chosen[k] = (first + k) % deployments.size();
          if (governed[chosen[k]]) {
            expected++;
          }
        }
        churnRound(driver, chosen);
        log("drain %s: churn round %d of %d done", name, r + 1, rounds);
      }
      long target = samplesBefore + (measure ? expected : 0);
      long settleDeadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      long samples = samples(driver);
      long lastChange = System.nanoTime();
      // measurement on: until every governed termination is a sample; off: the operator's reaction settles
      while (System.nanoTime() < settleDeadline && (measure ? samples < target
          : System.nanoTime() - lastChange < 5_000_000_000L)) {
        Thread.sleep(1000);
        long now = samples(driver);
        if (now != samples) {
          lastChange = System.nanoTime();
          samples = now;
        }
      }
      long tEnd = System.nanoTime();
      double cpu = operator.cpuSeconds() - cpu0;
      Map<String, Long> requests = backend.requests().requests().stream()
          .filter(q -> q.fromOperator() && q.startNanos() >= tChurn && q.startNanos() < tEnd)
          .collect(Collectors.groupingBy(q -> q.parsed().verb() + " " + q.parsed().resource(), TreeMap::new,
              Collectors.counting()));
      long heapAfter = heap(operator);
      log("operator (drain %s): churn %.1f s, CPU %.1f s, samples %d (expected %d), heap %s -> %s", name,
          seconds(tEnd - tChurn), cpu, samples - samplesBefore, measure ? expected : 0, mib(heapConverged),
          mib(heapAfter));
      long operatorNanos = backend.requests().requests().stream()
          .filter(q -> q.fromOperator() && q.startNanos() >= tChurn && q.startNanos() < tEnd)
          .mapToLong(Request::nanos).sum();
      return new RunResult(converge, heapConverged, heapAfter, seconds(tEnd - tChurn), cpu, requests,
          samples - samplesBefore, expected, tChurn, tEnd, operatorNanos);
    } finally {
      operator.stop();
    }
  }

  /** One round: terminate, slices let go, replacements routed, old pods gone; each step over all chosen pods. */
  private void churnRound(KubernetesClient driver, int[] chosen) throws Exception {
    String[] oldName = new String[chosen.length];
    String[] oldUid = new String[chosen.length];
    // 1. the API server marks each pod terminating (the kubelet starts its preStop hook)
    parallel(chosen.length, k -> {
      int i = chosen[k];
      oldName[k] = podName[i];
      oldUid[k] = podUid[i];
      // a DELETE with grace 30 s; the finalizer keeps the pod. The mock sets deletionTimestamp to the request time
      // and no deletionGracePeriodSeconds (an update cannot set either: the mock keeps its own metadata), which
      // is the same termination start as a real server's deletionTimestamp (now + grace) minus the grace period
      driver.pods().inNamespace(ns(i)).withName(oldName[k]).withGracePeriod(GRACE).delete();
    });
    Thread.sleep(500);
    // 2. the EndpointSlice controller marks it not ready (routing lets go): the drain sample
    parallel(chosen.length, k -> driver.resource(slice(chosen[k], oldUid[k])).update());
    // 3. the replacement runs and is routed instead; the old endpoint is removed
    parallel(chosen.length, k -> {
      int i = chosen[k];
      createPod(driver, i);
      driver.resource(slice(i, null)).update();
    });
    // 4. the old pod is gone
    parallel(chosen.length, k -> {
      int i = chosen[k];
      driver.pods().inNamespace(ns(i)).withName(oldName[k]).edit(p -> new PodBuilder(p).editMetadata()
          .withFinalizers(List.of()).endMetadata().build());
      driver.pods().inNamespace(ns(i)).withName(oldName[k]).delete();
    });
  }

  private void createPod(KubernetesClient driver, int i) {
    Deployment d = deployments.get(i);
    String name = d.getMetadata().getName() + "-" + HASH + "-g" + generation[i]++;
    Pod pod = new PodBuilder().withNewMetadata().withNamespace(ns(i)).withName(name)
        .withLabels(d.getSpec().getTemplate().getMetadata().getLabels()).addToLabels("pod-template-hash", HASH)
        .addToFinalizers(HOLD).addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet")
        .withName(d.getMetadata().getName() + "-" + HASH).withUid("rs-" + key(i)).withController(true)
        .endOwnerReference().endMetadata().withSpec(d.getSpec().getTemplate().getSpec()).build();
    Pod created = driver.resource(pod).create();
    podName[i] = name;
    podUid[i] = created.getMetadata().getUid();
  }

  /** The Deployment's slice: its current pod ready, and {@code notReadyUid} (the old pod) listed as not ready. */
  private EndpointSlice slice(int i, String notReadyUid) {
    String deployment = deployments.get(i).getMetadata().getName();
    EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace(ns(i))
        .withName(deployment + "-x7k2p").addToLabels("kubernetes.io/service-name", deployment).endMetadata()
        .withAddressType("IPv4");
    if (notReadyUid != null) {
      b.addToEndpoints(new EndpointBuilder().addToAddresses("10.1.0.1").withNewConditions().withReady(false)
          .withServing(true).withTerminating(true).endConditions().withNewTargetRef().withKind("Pod")
          .withNamespace(ns(i)).withUid(notReadyUid).endTargetRef().build());
    } else {
      b.addToEndpoints(new EndpointBuilder().addToAddresses("10.1.0.2").withNewConditions().withReady(true)
          .withServing(true).withTerminating(false).endConditions().withNewTargetRef().withKind("Pod")
          .withNamespace(ns(i)).withName(podName[i]).withUid(podUid[i]).endTargetRef().build());
    }
    return b.build();
  }

  private static long samples(KubernetesClient driver) {
    return driver.resources(GracefulPolicy.class).inAnyNamespace().list().getItems().stream()
        .filter(p -> p.getStatus() != null && p.getStatus().getDrain() != null
            && p.getStatus().getDrain().getSamples() != null)
        .mapToLong(p -> p.getStatus().getDrain().getSamples()).sum();
  }

  private static long heap(ChildOperator operator) throws InterruptedException {
    operator.send("heap");
    String line = operator.await("heap", Duration.ofMinutes(2));
    for (String part : line.split(" ")) {
      if (part.startsWith("used=")) {
        return Long.parseLong(part.substring(5));
      }
    }
    throw new IllegalStateException("no heap in " + line);
  }

  private String ns(int i) {
    return deployments.get(i).getMetadata().getNamespace();
  }

  private String key(int i) {
    return ns(i) + "/" + deployments.get(i).getMetadata().getName();
  }

  private void parallel(int count, IntConsumer task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      int chunk = Math.max(1, count / (threads * 8));
      for (int from = 0; from < count; from += chunk) {
        int start = from;
        int end = Math.min(count, from + chunk);
        futures.add(pool.submit(() -> {
          for (int i = start; i < end; i++) {
            task.accept(i);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  private static String mib(long bytes) {
    return fmt("%.1f MiB", bytes / 1048576.0);
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static void log(String format, Object... args) {
    System.err.println("[drain-operator " + java.time.LocalTime.now().withNano(0) + "] "
        + String.format(Locale.ROOT, format, args));
  }
}
