package io.graceful.benchmark;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.graceful.operator.GracefulOperator;
import io.graceful.operator.config.InvalidConfigException;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.controller.DecisionListener;
import io.graceful.operator.controller.GracefulPolicyReconciler;
import io.graceful.operator.core.WorkloadPlan;
import io.graceful.operator.runtime.LoggingSetup;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The operator as the benchmark runs it, in its own JVM: what {@code io.graceful.operator.Main} does (configuration
 * from the environment, logging set-up, standard kubeconfig resolution, {@link GracefulOperator#start}), plus a
 * {@link DecisionListener} that counts plans and writes, and a line protocol on stdin/stderr for the benchmark:
 * {@code arm} starts recording which Deployments get planned, {@code stats} prints and clears that record,
 * {@code heap} runs full GCs and prints the heap in use, {@code stop} stops the operator and exits.
 * The client identifies itself with the User-Agent {@value RequestLog#OPERATOR_AGENT} so the mock server can tell
 * the operator's requests from the benchmark's own; with {@code -Dgraceful.bench.clientRequestLog=true} the client
 * also reports every request itself ({@link ClientRequestLog}), for servers the benchmark cannot look into.
 */
public final class OperatorProcess {
  private static final LongAdder PLANNED = new LongAdder();
  private static final LongAdder WRITTEN = new LongAdder();
  private static final LongAdder FAILED = new LongAdder();
  private static volatile Map<String, LongAdder> armed;

  private OperatorProcess() {
  }

  public static void main(String[] args) throws Exception {
    PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    protocol.println("BENCH clock " + System.nanoTime());
    OperatorConfig config;
    try {
      config = OperatorConfig.fromEnvironment(System.getenv());
    } catch (InvalidConfigException e) {
      protocol.println("BENCH error " + e.getMessage());
      System.exit(2);
      return;
    }
    LoggingSetup.apply(config);
    Config kube = new ConfigBuilder(Config.autoConfigure(null)).withUserAgent(RequestLog.OPERATOR_AGENT).build();
    KubernetesClientBuilder builder = new KubernetesClientBuilder().withConfig(kube);
    if (Boolean.getBoolean(ClientRequestLog.PROPERTY)) {
      ClientRequestLog requestLog = new ClientRequestLog(protocol);
      builder.withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor(ClientRequestLog.NAME, requestLog));
    }
    KubernetesClient client = builder.build();
    DecisionListener counting = new DecisionListener() {
      @Override
      public void planned(WorkloadPlan plan) {
        PLANNED.increment();
        Map<String, LongAdder> record = armed;
        if (record != null) {
          record.computeIfAbsent(plan.namespace() + "/" + plan.name(), k -> new LongAdder()).increment();
        }
      }

      @Override
      public void written(WorkloadPlan plan) {
        WRITTEN.increment();
      }

      @Override
      public void writeFailed(WorkloadPlan plan, int httpCode) {
        FAILED.increment();
      }
    };
    GracefulOperator operator = GracefulOperator.start(client, config, counting,
        GracefulPolicyReconciler.PolicyStatusListener.NONE);
    protocol.println("BENCH ready");

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      switch (line.trim()) {
        case "arm" -> {
          armed = new ConcurrentHashMap<>();
          protocol.println("BENCH armed");
        }
        case "stats" -> {
          Map<String, LongAdder> record = armed;
          armed = null;
          StringBuilder sb = new StringBuilder("BENCH stats planned=").append(PLANNED.sum())
              .append(" written=").append(WRITTEN.sum()).append(" failed=").append(FAILED.sum()).append(" armed=");
          if (record != null) {
            new TreeMap<>(record).forEach((k, v) -> sb.append(k).append(':').append(v.sum()).append(','));
          }
          protocol.println(sb);
        }
        case "heap" -> {
          for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
          }
          MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
          MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
          protocol.println("BENCH heap used=" + heap.getUsed() + " committed=" + heap.getCommitted()
              + " nonheap=" + nonHeap.getUsed());
        }
        case "stop" -> {
          operator.close();
          client.close();
          protocol.println("BENCH stopped");
          System.exit(0);
        }
        default -> protocol.println("BENCH unknown " + line);
      }
    }
    operator.close();
    client.close();
  }
}
