package io.graceful.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real control plane (etcd + kube-apiserver, optionally kube-controller-manager) on loopback, run by
 * {@code e2e/control-plane.sh} with this benchmark's own state directory and ports, so that it never touches the
 * end-to-end tests' control plane (default ports 16443/12379/10357). Or one that is already running, reused through
 * its kubeconfig (then it is not stopped). Knows the pids of etcd and kube-apiserver when their pid files are there,
 * so their CPU time and memory can be reported.
 */
final class LocalControlPlane implements AutoCloseable {
  private static final Pattern EXPORT = Pattern.compile("^export (\\w+)='([^']*)'");

  private final Path script;
  private final Path state;
  private final Map<String, String> scriptEnv;
  private Path kubeconfig;
  private final boolean startedHere;
  private final String controllers;
  private final AtomicBoolean stopped = new AtomicBoolean();

  private LocalControlPlane(Path script, Path state, Map<String, String> scriptEnv, Path kubeconfig,
      boolean startedHere, String controllers) {
    this.script = script;
    this.state = state;
    this.scriptEnv = scriptEnv;
    this.kubeconfig = kubeconfig;
    this.startedHere = startedHere;
    this.controllers = controllers;
  }

  /**
   * Starts one with {@code e2e/control-plane.sh start} (fresh etcd data; ~5 s once the binaries are cached) and makes
   * sure it is stopped again, also when the benchmark is interrupted.
   */
  static LocalControlPlane start(Path script, Path state, int apiserverPort, int etcdPort, int kcmPort,
      String controllers) throws IOException, InterruptedException {
    Map<String, String> env = new HashMap<>();
    env.put("GRACEFUL_E2E_STATE", state.toAbsolutePath().toString());
    env.put("GRACEFUL_E2E_APISERVER_PORT", Integer.toString(apiserverPort));
    env.put("GRACEFUL_E2E_ETCD_PORT", Integer.toString(etcdPort));
    env.put("GRACEFUL_E2E_KCM_PORT", Integer.toString(kcmPort));
    if (!controllers.equals("default")) {
      env.put("GRACEFUL_E2E_CONTROLLERS", controllers);
    }
    Files.createDirectories(state);
    LocalControlPlane plane = new LocalControlPlane(script, state, env, null, true, controllers);
    Runtime.getRuntime().addShutdownHook(new Thread(plane::close, "control-plane-stop"));
    plane.run("start", 300);
    plane.kubeconfig = Path.of(plane.exports().get("KUBECONFIG"));
    return plane;
  }

  /** One that runs already; if {@code state} holds pid files (the script's layout), its processes are measured. */
  static LocalControlPlane reuse(Path kubeconfig, Path state) {
    return new LocalControlPlane(null, state, Map.of(), kubeconfig, false, "as found");
  }

  Path kubeconfig() {
    return kubeconfig;
  }

  boolean startedHere() {
    return startedHere;
  }

  String controllers() {
    return controllers;
  }

  /** The pid of etcd, kube-apiserver or kube-controller-manager, or -1 when unknown or not running. */
  long pid(String component) {
    if (state == null) {
      return -1;
    }
    try {
      long pid = Long.parseLong(Files.readString(state.resolve("pids").resolve(component)).trim());
      return ProcessHandle.of(pid).map(h -> h.isAlive() ? pid : -1L).orElse(-1L);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Size of etcd's database file (bbolt), -1 when unknown. */
  long etcdDbBytes() {
    try {
      return state == null ? -1 : Files.size(state.resolve("etcd/member/snap/db"));
    } catch (IOException e) {
      return -1;
    }
  }

  Path logDir() {
    return state == null ? null : state.resolve("logs");
  }

  private Map<String, String> exports() throws IOException, InterruptedException {
    String out = run("env", 60);
    Map<String, String> env = new HashMap<>();
    for (String line : out.split("\n")) {
      Matcher m = EXPORT.matcher(line);
      if (m.find()) {
        env.put(m.group(1), m.group(2));
      }
    }
    if (!env.containsKey("KUBECONFIG")) {
      throw new IllegalStateException(script + " env printed no KUBECONFIG: " + out);
    }
    return env;
  }

  /** Runs the script; its log lines (stderr) go to ours, its stdout is returned. */
  private String run(String command, int timeoutSeconds) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bash", script.toString(), command));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().putAll(scriptEnv);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(script + " " + command + " did not finish in " + timeoutSeconds + " s");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(script + " " + command + " failed with exit code " + p.exitValue());
    }
    return out;
  }

  /** Stops what {@link #start} started (once; also from the shutdown hook); a reused control plane is left alone. */
  @Override
  public void close() {
    if (!startedHere || !stopped.compareAndSet(false, true)) {
      return;
    }
    try {
      run("stop", 120);
    } catch (IOException | RuntimeException e) {
      System.err.println("[benchmark] could not stop the control plane: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
