package io.graceful.benchmark;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real kube-apiserver + etcd ({@link LocalControlPlane}). The server cannot be looked into, so the operator's
 * requests are recorded by its own client ({@link ClientRequestLog}); {@code apiserver_request_total} cross-checks
 * the writes from the server side; the server processes' CPU and memory come from /proc.
 */
final class RealApiBackend implements ApiBackend {
  private final LocalControlPlane plane;
  private final Path crdDir;
  private final RequestLog log = new RequestLog();
  private String serverVersion = "?";

  RealApiBackend(LocalControlPlane plane, Path crdDir) {
    this.plane = plane;
    this.crdDir = crdDir;
  }

  @Override
  public String name() {
    return "real";
  }

  @Override
  public String description() {
    String controllers = plane.controllers().equals("none")
        ? "no kube-controller-manager (GRACEFUL_E2E_CONTROLLERS=none): no ReplicaSets or pods are created, so the "
            + "figures are the operator and the API server alone"
        : plane.startedHere() ? "kube-controller-manager controllers: " + plane.controllers()
        : "controller manager as found on the reused control plane (the figures include whatever it does)";
    return String.format("real control plane: kube-apiserver %s + etcd from e2e/control-plane.sh (%s; kubeconfig %s); "
        + "%s. Operator requests are recorded by the operator's own HTTP client (ClientRequestLog); the server's "
        + "apiserver_request_total cross-checks its writes.", serverVersion,
        plane.startedHere() ? "started by the benchmark, fresh etcd" : "reused, not started here", plane.kubeconfig(),
        controllers);
  }

  @Override
  public KubernetesClient newDriverClient() throws Exception {
    Path kubeconfig = plane.kubeconfig();
    Config config = new ConfigBuilder(Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString()))
        .withUserAgent(RequestLog.DRIVER_AGENT).withRequestTimeout(300_000).withConnectionTimeout(30_000).build();
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    serverVersion = client.getKubernetesVersion().getGitVersion();
    return client;
  }

  /** Creates (or updates) every CRD in {@code crd/}, as {@code kubectl apply -f crd/} would, and waits until served. */
  @Override
  public void installCrd(KubernetesClient driver) throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(crdDir)) {
      files = s.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalStateException("no CRD files in " + crdDir.toAbsolutePath() + " (run from the repository root "
          + "or pass --crd-dir)");
    }
    List<String> names = new ArrayList<>();
    for (Path f : files) {
      CustomResourceDefinition crd = driver.getKubernetesSerialization().unmarshal(Files.readString(f),
          CustomResourceDefinition.class);
      driver.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(NonDeletingOperation::update);
      names.add(crd.getMetadata().getName());
    }
    for (String name : names) {
      driver.apiextensions().v1().customResourceDefinitions().withName(name).waitUntilCondition(c ->
          c != null && c.getStatus() != null && c.getStatus().getConditions().stream()
              .anyMatch(x -> x.getType().equals("Established") && x.getStatus().equals("True")), 60, TimeUnit.SECONDS);
    }
    // Established comes slightly before the new endpoint is served everywhere; a LIST proves it is
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        driver.resources(GracefulPolicy.class).inAnyNamespace().list();
        return;
      } catch (KubernetesClientException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  @Override
  public Path operatorKubeconfig(Path out) {
    return plane.kubeconfig();
  }

  @Override
  public RequestLog requests() {
    return log;
  }

  @Override
  public boolean recordsOnOperatorClient() {
    return true;
  }

  @Override
  public String requestTimeMeaning() {
    return "round trip seen by the operator's client";
  }

  @Override
  public List<ServerProcess> serverProcesses() {
    List<ServerProcess> out = new ArrayList<>();
    for (String name : List.of("kube-apiserver", "etcd", "kube-controller-manager")) {
      long pid = plane.pid(name);
      if (pid > 0) {
        out.add(new ServerProcess(name, ProcStat.cpuSeconds(pid), ProcStat.statusKiB(pid, "VmRSS:"),
            ProcStat.statusKiB(pid, "VmHWM:")));
      }
    }
    return out;
  }

  @Override
  public ApiServerMetrics metrics(KubernetesClient driver) {
    return ApiServerMetrics.scrape(driver);
  }

  @Override
  public int defaultCreateThreads() {
    return 16;
  }

  long etcdDbBytes() {
    return plane.etcdDbBytes();
  }

  @Override
  public void close() {
    plane.close();
  }
}
