package io.graceful.operator.process;

import static io.graceful.operator.it.Fixtures.container;
import static io.graceful.operator.it.Fixtures.deployment;
import static io.graceful.operator.it.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.graceful.operator.it.MockApiServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The shaded jar as a user runs it: {@code java -jar target/graceful-operator.jar} with a kubeconfig pointing at
 * the mock API server, checked through its HTTP endpoints, its effect on Deployments, its exit code on SIGTERM and
 * on a bad configuration, and the Lease it leaves behind. Runs after {@code package} (failsafe).
 */
class OperatorProcessIT {
  private static final Path JAR = Path.of(System.getProperty("graceful.jar", "target/graceful-operator.jar"));
  private static final Path OUT = Path.of("target/process-it");
  private static final Map<String, String> WEB = Map.of("tier", "web");
  private static final int SHUTDOWN_TIMEOUT_SECONDS = 5;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<JarProcess> processes = new ArrayList<>();
  private MockApiServer api;
  private Path kubeconfig;
  private String testName;

  /** One {@code java -jar} process, its output in a file under target/. */
  final class JarProcess {
    final Process process;
    final Path output;
    final int port;

    JarProcess(String name, Map<String, String> env) throws IOException {
      this(name, env, List.of());
    }

    JarProcess(String name, Map<String, String> env, List<String> args) throws IOException {
      port = env.containsKey("GRACEFUL_HTTP_PORT") ? Integer.parseInt(env.get("GRACEFUL_HTTP_PORT")) : freePort();
      output = OUT.resolve(testName + "-" + name + ".log");
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
          .toString(), "-Xmx256m", "-jar", JAR.toString()));
      command.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(command);
      // a clean environment: nothing of the build's own (a stray GRACEFUL_* would be rejected as unknown)
      Map<String, String> e = pb.environment();
      // (nor JVM option variables: the JVM announces them on stderr, and the tests read the output line by line)
      e.keySet().removeIf(k -> k.startsWith("GRACEFUL_") || k.startsWith("POD_") || k.startsWith("KUBERNETES_")
          || k.equals("KUBECONFIG") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS")
          || k.equals("_JAVA_OPTIONS"));
      e.put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
      e.put("GRACEFUL_HTTP_PORT", Integer.toString(port));
      e.put("GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS", Integer.toString(SHUTDOWN_TIMEOUT_SECONDS));
      e.putAll(env);
      pb.redirectErrorStream(true).redirectOutput(output.toFile());
      process = pb.start();
      processes.add(this);
    }

    String output() {
      try {
        return Files.readString(output);
      } catch (IOException e) {
        return "<" + e + ">";
      }
    }

    int get(String path) {
      return call(path).statusCode();
    }

    String body(String path) {
      return call(path).body();
    }

    private HttpResponse<String> call(String path) {
      try {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new IllegalStateException("GET " + path + ": " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    void awaitReady() {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .failFast("the process exited before it became ready", () -> !process.isAlive())
          .until(() -> get("/readyz") == 200);
    }

    /** SIGTERM (what the kubelet sends), then the exit code, waiting the shutdown timeout plus a margin. */
    int terminate() throws InterruptedException {
      process.destroy();
      assertThat(process.waitFor(SHUTDOWN_TIMEOUT_SECONDS + 10, TimeUnit.SECONDS))
          .as("exits within the shutdown timeout (%ss) plus a margin after SIGTERM", SHUTDOWN_TIMEOUT_SECONDS)
          .isTrue();
      return process.exitValue();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  @BeforeEach
  void start(TestInfo info) throws IOException {
    assertThat(JAR).as("the shaded jar is built by package").exists();
    testName = info.getTestMethod().orElseThrow().getName();
    System.out.println(java.time.LocalTime.now() + " start " + testName);
    Files.createDirectories(OUT);
    api = new MockApiServer("31");
    kubeconfig = OUT.resolve(testName + "-kubeconfig.yaml");
    writeKubeconfig(api.url());
  }

  private void writeKubeconfig(String server) throws IOException {
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: %s
        contexts:
        - name: mock
          context:
            cluster: mock
            user: tester
            namespace: default
        current-context: mock
        users:
        - name: tester
          user:
            token: not-checked-by-the-mock
        """.formatted(server));
  }

  @AfterEach
  void stop() throws InterruptedException {
    boolean anyAlive = false;
    for (JarProcess p : processes) {
      if (p.process.isAlive()) {
        anyAlive = true;
        p.process.destroyForcibly();
        p.process.waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (anyAlive) {
      printOutputs("a process was still running at the end of the test");
    }
    System.out.println(java.time.LocalTime.now() + " closing the API server");
    api.close();
    System.out.println(java.time.LocalTime.now() + " end " + testName);
  }

  private void printOutputs(String why) {
    for (JarProcess p : processes) {
      System.out.println("==== " + why + ": output of " + p.output + " ====");
      System.out.println(p.output());
    }
  }

  /** Runs the checks; on failure prints every process's output before failing. */
  private void withOutputOnFailure(ThrowingRunnable checks) throws Exception {
    try {
      checks.run();
    } catch (Throwable t) {
      printOutputs("FAILED: " + t.getMessage());
      throw t;
    }
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static boolean hasSleep(Deployment d, long seconds) {
    if (d == null) {
      return false;
    }
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    return c.getLifecycle() != null && new LifecycleHandlerBuilder().withNewSleep().withSeconds(seconds).endSleep()
        .build().equals(c.getLifecycle().getPreStop());
  }

  private void awaitHook(String ns, String name, long seconds) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> hasSleep(api.client().apps().deployments().inNamespace(ns).withName(name).get(), seconds));
  }

  private void namespace(String name) {
    api.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
  }

  private String leaseHolder() {
    Lease lease = api.client().leases().inNamespace("graceful-system").withName("graceful-operator").get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  @Test
  void servesHealthReadinessAndMetricsAppliesPoliciesAndExitsZeroOnSigterm() throws Exception {
    JarProcess p = new JarProcess("op", Map.of());
    withOutputOnFailure(() -> {
      p.awaitReady();
      assertThat(p.get("/healthz")).isEqualTo(200);

      KubernetesClient user = api.client();
      namespace("shop");
      user.resource(deployment("shop", "web", WEB, container("app"))).create();
      user.resource(policy("shop", "web", WEB, 10, 20L)).create();
      awaitHook("shop", "web", 10);

      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
        String m = p.body("/metrics");
        return m.contains("graceful_deployments{kind=\"Deployment\",namespace=\"shop\",policy=\"web\",state=\"Applied\"} 1.0")
            && m.contains("graceful_writes_total{change=\"apply\",kind=\"Deployment\"} 1.0");
      });
      String metrics = p.body("/metrics");
      assertThat(metrics).as("framework metrics").containsPattern("(?m)^operator_sdk_\\w+");
      assertThat(metrics).as("JVM metrics").containsPattern("(?m)^jvm_memory_\\w+");
      assertThat(metrics).contains("# TYPE graceful_deployments gauge");
      assertThat(p.output()).as("the configuration is printed at start").contains("shutdownTimeout")
          .contains(SHUTDOWN_TIMEOUT_SECONDS + "s");

      long sent = System.nanoTime();
      int code = p.terminate();
      Duration took = Duration.ofNanos(System.nanoTime() - sent);
      assertThat(code).as("exit code after SIGTERM").isZero();
      assertThat(took).isLessThan(Duration.ofSeconds(SHUTDOWN_TIMEOUT_SECONDS + 5));
      assertThat(p.output()).contains("stopped");
    });
  }

  @Test
  void anInvalidSettingStopsStartUpWithExitCodeTwoAndNamesTheVariable() throws Exception {
    api.clearRequests();
    JarProcess p = new JarProcess("invalid", Map.of("GRACEFUL_LOG_FORMAT", "xml"));
    withOutputOnFailure(() -> {
      assertThat(p.process.waitFor(20, TimeUnit.SECONDS)).as("exits quickly").isTrue();
      assertThat(p.process.exitValue()).isEqualTo(2);
      assertThat(p.output()).contains("GRACEFUL_LOG_FORMAT").contains("xml").contains("text").contains("json");
      assertThat(api.requests()).as("nothing is sent to the API server").isEmpty();
    });
  }

  @Test
  void withLeaderElectionItHoldsTheLeaseReconcilesAndStepsDownOnSigterm() throws Exception {
    namespace("graceful-system");
    JarProcess p = new JarProcess("leader", Map.of("GRACEFUL_LEADER_ELECTION", "true",
        "POD_NAMESPACE", "graceful-system", "POD_NAME", "proc-1"));
    withOutputOnFailure(() -> {
      p.awaitReady();
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
          .until(() -> "proc-1".equals(leaseHolder()));

      namespace("shop");
      api.client().resource(deployment("shop", "web", WEB, container("app"))).create();
      api.client().resource(policy("shop", "web", WEB, 10, 20L)).create();
      awaitHook("shop", "web", 10);

      assertThat(p.terminate()).as("exit code after SIGTERM").isZero();
      assertThat(leaseHolder()).as("the Lease is handed back on shutdown").isEmpty();
      assertThat(p.output()).contains("stopped");
    });
  }

  @Test
  void twoProcessesOnlyTheLeaderReconcilesAndTheOtherTakesOverWhenTheLeaderIsTerminated() throws Exception {
    namespace("graceful-system");
    JarProcess one = new JarProcess("proc-1", Map.of("GRACEFUL_LEADER_ELECTION", "true",
        "POD_NAMESPACE", "graceful-system", "POD_NAME", "proc-1"));
    JarProcess two = new JarProcess("proc-2", Map.of("GRACEFUL_LEADER_ELECTION", "true",
        "POD_NAMESPACE", "graceful-system", "POD_NAME", "proc-2"));
    withOutputOnFailure(() -> {
      one.awaitReady();
      two.awaitReady();
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
          .until(() -> "proc-1".equals(leaseHolder()) || "proc-2".equals(leaseHolder()));
      String leaderName = leaseHolder();
      JarProcess leader = leaderName.equals("proc-1") ? one : two;
      JarProcess follower = leader == one ? two : one;
      String followerName = leader == one ? "proc-2" : "proc-1";

      namespace("shop");
      api.client().resource(deployment("shop", "web", WEB, container("app"))).create();
      api.client().resource(policy("shop", "web", WEB, 10, 20L)).create();
      awaitHook("shop", "web", 10);
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
          .until(() -> leader.body("/metrics").contains("graceful_writes_total{change=\"apply\",kind=\"Deployment\"} 1.0"));
      assertThat(leader.body("/metrics")).contains("\ngraceful_leader 1.0\n");
      assertThat(follower.body("/metrics")).as("the follower wrote nothing and says it is a standby")
          .contains("\ngraceful_writes_total{change=\"apply\",kind=\"Deployment\"} 0.0\n").doesNotContain("graceful_deployments{")
          .contains("\ngraceful_leader 0.0\n");

      long sent = System.nanoTime();
      assertThat(leader.terminate()).as("the leader's exit code after SIGTERM").isZero();
      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
          .until(() -> followerName.equals(leaseHolder()));
      assertThat(Duration.ofNanos(System.nanoTime() - sent)).as("takeover well before the lease would expire")
          .isLessThan(Duration.ofSeconds(10));
      assertThat(follower.process.isAlive()).isTrue();

      api.client().resource(deployment("shop", "api", WEB, container("app"))).create();
      awaitHook("shop", "api", 10);
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
          .until(() -> follower.body("/metrics").contains("graceful_writes_total{change=\"apply\",kind=\"Deployment\"} 1.0"));
      assertThat(follower.body("/metrics")).as("the new leader says so").contains("\ngraceful_leader 1.0\n");

      assertThat(follower.terminate()).isZero();
      assertThat(leaseHolder()).isEmpty();
    });
  }

  /**
   * A leader whose Lease is taken (a partition, a paused JVM: another replica may be writing already) must stop at
   * once and say so with a non-zero exit code; the pod restarts as a follower.
   */
  @Test
  void aLeaderThatLosesItsLeaseExitsNonZero() throws Exception {
    namespace("graceful-system");
    JarProcess p = new JarProcess("lost", Map.of("GRACEFUL_LEADER_ELECTION", "true",
        "POD_NAMESPACE", "graceful-system", "POD_NAME", "proc-1"));
    withOutputOnFailure(() -> {
      p.awaitReady();
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
          .until(() -> "proc-1".equals(leaseHolder()));
      // another replica takes the Lease over (as after a network partition)
      api.client().leases().inNamespace("graceful-system").withName("graceful-operator").edit(l -> {
        l.getSpec().setHolderIdentity("intruder");
        l.getSpec().setRenewTime(java.time.ZonedDateTime.now());
        l.getSpec().setAcquireTime(java.time.ZonedDateTime.now());
        return l;
      });
      // the renew deadline is 10 s
      assertThat(p.process.waitFor(25, TimeUnit.SECONDS)).as("exits after losing the Lease").isTrue();
      assertThat(p.output()).contains("lost the leader Lease");
      assertThat(p.process.exitValue()).as("exit code after losing the Lease").isNotZero();
      assertThat(leaseHolder()).as("the Lease of the new holder is left alone").isEqualTo("intruder");
    });
  }

  /** Waits for the process to exit on its own; returns how long it took from start. */
  private static Duration awaitExit(JarProcess p, int seconds) throws InterruptedException {
    long start = System.nanoTime();
    assertThat(p.process.waitFor(seconds, TimeUnit.SECONDS)).as("exits on its own within %ss", seconds).isTrue();
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** A start failure is one clear line, not a stack trace to dig through. */
  private static void assertNoStackTrace(JarProcess p) {
    assertThat(p.output()).as("no stack trace").doesNotContainPattern("(?m)^\\s+at [a-z]+\\.");
  }

  /**
   * A kubeconfig pointing nowhere (here a closed port) must not leave a zombie that answers /healthz 200 forever:
   * the process exits with 3 within the start timeout and names the server it could not reach.
   */
  @Test
  void anUnreachableApiServerExitsWithThreeWithinTheStartTimeoutNamingTheServer() throws Exception {
    String nowhere = "http://127.0.0.1:" + freePort() + "/";
    writeKubeconfig(nowhere);
    JarProcess p = new JarProcess("unreachable", Map.of("GRACEFUL_START_TIMEOUT_SECONDS", "30"));
    withOutputOnFailure(() -> {
      awaitExit(p, 30 + 15);
      assertThat(p.process.exitValue()).as("exit code of a failed start").isEqualTo(3);
      assertThat(p.output()).contains("start failed").contains("cannot reach the API server at " + nowhere)
          .contains(kubeconfig.toAbsolutePath().toString());
      assertNoStackTrace(p);
    });
  }

  @Test
  void aStartThatDoesNotFinishWithinTheStartTimeoutExitsWithThree() throws Exception {
    // a server that accepts connections and never answers (a black hole)
    try (ServerSocket silent = new ServerSocket(0)) {
      String url = "http://127.0.0.1:" + silent.getLocalPort() + "/";
      writeKubeconfig(url);
      JarProcess p = new JarProcess("hangs", Map.of("GRACEFUL_START_TIMEOUT_SECONDS", "5"));
      withOutputOnFailure(() -> {
        Duration took = awaitExit(p, 5 + 15);
        assertThat(p.process.exitValue()).isEqualTo(3);
        assertThat(p.output()).contains("start-up against the API server at " + url + " did not finish within "
            + "GRACEFUL_START_TIMEOUT_SECONDS (5s)");
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
      });
    }
  }

  @Test
  void aMissingCrdExitsWithThreeAndSaysHowToInstallIt() throws Exception {
    api.close();
    api = new MockApiServer("31", false);
    writeKubeconfig(api.url());
    JarProcess p = new JarProcess("nocrd", Map.of());
    withOutputOnFailure(() -> {
      awaitExit(p, 30);
      assertThat(p.process.exitValue()).isEqualTo(3);
      assertThat(p.output()).contains("gracefulpolicies.graceful.io").contains("is not installed on the API server at "
          + api.url()).contains("kubectl apply -f crd/");
      assertNoStackTrace(p);
    });
  }

  @Test
  void aDeniedPermissionExitsWithThreeNamingTheVerbResourceAndIdentity() throws Exception {
    String user = "system:serviceaccount:graceful-system:graceful-operator";
    api.deny("GET", "/apis/graceful.io/v1alpha1/gracefulpolicies", user, "list", "gracefulpolicies", "graceful.io");
    JarProcess p = new JarProcess("denied", Map.of());
    withOutputOnFailure(() -> {
      awaitExit(p, 30);
      assertThat(p.process.exitValue()).isEqualTo(3);
      assertThat(p.output()).contains("permission denied: user \"" + user + "\" may not list "
          + "gracefulpolicies.graceful.io in all namespaces").contains("helm/graceful-operator");
      assertNoStackTrace(p);
    });
  }

  /**
   * The command line as the image's check and a person use it: {@code --version} is one line and exit 0 (and
   * touches no API server), {@code --help} lists the settings, an unknown argument is exit code 2.
   */
  @Test
  void versionHelpAndAnUnknownArgument() throws Exception {
    api.clearRequests();
    JarProcess version = new JarProcess("version", Map.of(), List.of("--version"));
    JarProcess help = new JarProcess("help", Map.of(), List.of("--help"));
    JarProcess unknown = new JarProcess("unknown", Map.of(), List.of("--frobnicate"));
    withOutputOnFailure(() -> {
      awaitExit(version, 20);
      assertThat(version.process.exitValue()).isZero();
      assertThat(version.output()).as("exactly one line").matches("graceful-operator \\d+\\.\\d+\\.\\d+\\S*\n");
      awaitExit(help, 20);
      assertThat(help.process.exitValue()).isZero();
      assertThat(help.output()).contains("GRACEFUL_HTTP_PORT").contains("[8080]").contains("GRACEFUL_LOG_FORMAT");
      awaitExit(unknown, 20);
      assertThat(unknown.process.exitValue()).isEqualTo(2);
      assertThat(unknown.output()).contains("unknown argument '--frobnicate'");
      assertNoStackTrace(unknown);
      assertThat(api.requests()).as("nothing is sent to the API server").isEmpty();
    });
  }

  /** A port another process holds: exit code 3 and one line naming the port and its variable. */
  @Test
  void aTakenHttpPortExitsWithThreeNamingThePortAndTheVariable() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      int port = taken.getLocalPort();
      JarProcess p = new JarProcess("porttaken", Map.of("GRACEFUL_HTTP_PORT", Integer.toString(port)));
      withOutputOnFailure(() -> {
        awaitExit(p, 20);
        assertThat(p.process.exitValue()).isEqualTo(3);
        assertThat(p.output()).contains("start failed").contains("port " + port + " (GRACEFUL_HTTP_PORT) is already "
            + "in use");
        assertNoStackTrace(p);
      });
    }
  }

  /** GRACEFUL_LOG_FORMAT=json: every line the process writes is one JSON object, the version among them. */
  @Test
  void jsonLogsAreOneObjectPerLine() throws Exception {
    JarProcess p = new JarProcess("json", Map.of("GRACEFUL_LOG_FORMAT", "json"));
    withOutputOnFailure(() -> {
      p.awaitReady();
      assertThat(p.terminate()).isZero();
      com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
      List<String> messages = new ArrayList<>();
      for (String line : p.output().lines().toList()) {
        messages.add(json.readTree(line).path("message").asText());
      }
      assertThat(messages).contains("graceful-operator " + io.graceful.operator.BuildInfo.version() + " starting")
          .anyMatch(m -> m.startsWith("config shutdownTimeout = " + SHUTDOWN_TIMEOUT_SECONDS + "s"));
    });
  }

  @Test
  void anInvalidStartTimeoutIsAnInvalidSetting() throws Exception {
    JarProcess p = new JarProcess("badtimeout", Map.of("GRACEFUL_START_TIMEOUT_SECONDS", "0"));
    withOutputOnFailure(() -> {
      awaitExit(p, 20);
      assertThat(p.process.exitValue()).isEqualTo(2);
      assertThat(p.output()).contains("GRACEFUL_START_TIMEOUT_SECONDS: 0 is outside 5..3600");
    });
  }
}
