package io.graceful.e2e;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The control plane that e2e/control-plane.sh started before the tests (Maven's pre-integration-test phase): where
 * its kubeconfig and binaries are, an admin client, kubectl and helm as a user runs them, and the fake kubelet that
 * makes pods run. One per test JVM.
 */
final class ControlPlane {
  private static final Pattern EXPORT = Pattern.compile("^export (\\w+)='([^']*)'");
  private static ControlPlane instance;

  private final Path root;
  private final Path state;
  private final Path adminKubeconfig;
  private final Path k8sBin;
  private final Path helmBin;
  private final KubernetesClient admin;
  private final FakeKubelet kubelet;

  private ControlPlane(Path root, Path state) {
    this.root = root;
    this.state = state;
    Map<String, String> env = new HashMap<>();
    String script = Cli.run(Map.of("GRACEFUL_E2E_STATE", state.toString()), null, 120,
        List.of("bash", root.resolve("e2e/control-plane.sh").toString(), "env")).orFail();
    for (String line : script.split("\n")) {
      Matcher m = EXPORT.matcher(line);
      if (m.find()) {
        env.put(m.group(1), m.group(2));
      }
    }
    this.adminKubeconfig = Path.of(env.get("KUBECONFIG"));
    this.k8sBin = Path.of(env.get("GRACEFUL_E2E_K8S_BIN"));
    this.helmBin = Path.of(env.get("GRACEFUL_E2E_HELM_BIN"));
    this.admin = client(adminKubeconfig);
    this.kubelet = FakeKubelet.start(admin);
  }

  /** The control plane of this test run (started by Maven before the tests); fails clearly when it is not up. */
  static synchronized ControlPlane get() {
    if (instance == null) {
      Path root = Path.of(System.getProperty("graceful.e2e.root", "..")).toAbsolutePath().normalize();
      Path state = Path.of(System.getProperty("graceful.e2e.state", root.resolve("e2e/target/control-plane").toString()));
      instance = new ControlPlane(root, state);
      Runtime.getRuntime().addShutdownHook(new Thread(instance::close, "control-plane-close"));
    }
    return instance;
  }

  static KubernetesClient client(Path kubeconfig) {
    try {
      Config config = Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
      return new KubernetesClientBuilder().withConfig(config).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path root() {
    return root;
  }

  Path state() {
    return state;
  }

  Path adminKubeconfig() {
    return adminKubeconfig;
  }

  KubernetesClient admin() {
    return admin;
  }

  FakeKubelet kubelet() {
    return kubelet;
  }

  AuditLog audit() {
    return new AuditLog(state.resolve("logs/audit.log"));
  }

  /** kubectl as the cluster admin, in the repository root (so paths like crd/ and examples/ work as in the README). */
  Cli.Result kubectl(String... args) {
    return kubectlAs(adminKubeconfig, null, args);
  }

  /** kubectl reading a manifest from standard input ({@code -f -}). */
  Cli.Result kubectlStdin(String stdin, String... args) {
    return kubectlAs(adminKubeconfig, stdin, args);
  }

  Cli.Result kubectlAs(Path kubeconfig, String stdin, String... args) {
    return inRoot(Map.of("KUBECONFIG", kubeconfig.toString()), stdin,
        Cli.concat(k8sBin.resolve("kubectl").toString(), args));
  }

  Cli.Result helm(String... args) {
    List<String> command = Cli.concat(helmBin.resolve("helm").toString(), args);
    return inRoot(Map.of("KUBECONFIG", adminKubeconfig.toString(), "HELM_CACHE_HOME", state.resolve("helm/cache").toString(),
        "HELM_CONFIG_HOME", state.resolve("helm/config").toString(), "HELM_DATA_HOME", state.resolve("helm/data").toString()),
        null, command);
  }

  /** An empty namespace of that name: one left by an earlier run is deleted first (tests re-run on a live cluster). */
  void freshNamespace(String namespace) {
    kubectl("delete", "namespace", namespace, "--ignore-not-found", "--wait=false").orFail();
    awaitNamespaceGone(namespace);
    kubectl("create", "namespace", namespace).orFail();
  }

  /** Waits until a namespace an earlier test deleted is gone (the namespace controller empties it first). */
  void awaitNamespaceGone(String namespace) {
    org.awaitility.Awaitility.await("namespace " + namespace + " gone").atMost(java.time.Duration.ofSeconds(120))
        .pollInterval(java.time.Duration.ofMillis(500))
        .until(() -> admin.namespaces().withName(namespace).get() == null);
  }

  /** Stops and starts kube-apiserver (etcd keeps the data), as an upgrade or a crash of the API server does. */
  void restartApiServer() {
    Cli.run(Map.of("GRACEFUL_E2E_STATE", state.toString()), null, 180,
        List.of("bash", root.resolve("e2e/control-plane.sh").toString(), "restart-apiserver")).orFail();
  }

  private Cli.Result inRoot(Map<String, String> env, String stdin, List<String> command) {
    List<String> shell = new ArrayList<>(List.of("bash", "-c", "cd \"$0\" && exec \"$@\"", root.toString()));
    shell.addAll(command);
    return Cli.run(env, stdin, 180, shell);
  }

  private void close() {
    kubelet.close();
    admin.close();
  }
}
