package io.graceful.benchmark;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;

/**
 * The API server the scale benchmark runs the operator against ({@code --api mock|real}): how the benchmark reaches
 * it, how the operator process reaches it, where the operator's requests are recorded, and what the server itself
 * cost. Everything else in the benchmark is the same for both.
 */
interface ApiBackend extends AutoCloseable {
  /** CPU time and memory of one server process at one moment. */
  record ServerProcess(String name, double cpuSeconds, long rssKiB, long hwmKiB) {
  }

  /** "mock" or "real", for the report. */
  String name();

  /** One paragraph for the report: what the server is. */
  String description();

  /** The benchmark's own client (User-Agent {@value RequestLog#DRIVER_AGENT}). */
  KubernetesClient newDriverClient() throws Exception;

  /** Creates the GracefulPolicy CRD and returns once policies can be created. */
  void installCrd(KubernetesClient driver) throws Exception;

  /** The kubeconfig the operator process is started with. */
  Path operatorKubeconfig(Path out) throws Exception;

  /** Where the operator's requests are recorded (and successful Deployment patches seen). */
  RequestLog requests();

  /** Whether the operator process must report its own requests into {@link #requests()}. */
  boolean recordsOnOperatorClient();

  /** What the per-request time in {@link RequestLog.Request#nanos()} means here, for table headers. */
  String requestTimeMeaning();

  /** The server's processes (empty for the mock, which runs inside the benchmark JVM). */
  List<ServerProcess> serverProcesses();

  /** The API server's own request counters, or null where there are none (the mock). */
  ApiServerMetrics metrics(KubernetesClient driver);

  /** Default number of threads that create the workload. */
  int defaultCreateThreads();

  @Override
  void close();
}
