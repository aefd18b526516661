package io.graceful.charttests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The operator pod: Pod Security "restricted", probes and ports, environment, dogfood hook, PDB. */
class PodSpecTest {

  /** Every variable the chart may set; the operator refuses unknown GRACEFUL_* variables. */
  static final List<String> KNOWN_ENV = List.of(
      "POD_NAME", "POD_NAMESPACE", "GRACEFUL_WATCH_NAMESPACES", "GRACEFUL_NATIVE_SLEEP", "GRACEFUL_MAX_REAPPLIES",
      "GRACEFUL_RECONCILE_THREADS", "GRACEFUL_LEADER_ELECTION", "GRACEFUL_LEASE_NAME", "GRACEFUL_LEASE_NAMESPACE",
      "GRACEFUL_HTTP_PORT", "GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS", "GRACEFUL_START_TIMEOUT_SECONDS",
      "GRACEFUL_LOG_LEVEL", "GRACEFUL_LOG_FORMAT", "GRACEFUL_MAX_CONCURRENT_ROLLOUTS",
      "GRACEFUL_MAX_CONCURRENT_ROLLOUTS_PER_NAMESPACE", "GRACEFUL_ROLLOUT_FAILURE_THRESHOLD",
      "GRACEFUL_POLICY_SETTLE_SECONDS", "GRACEFUL_RETRY_MAX_DELAY_SECONDS", "GRACEFUL_MEASURE_DRAIN",
      "GRACEFUL_DRAIN_WINDOW_MINUTES", "GRACEFUL_DRAIN_MIN_SAMPLES", "JAVA_TOOL_OPTIONS",
      "GRACEFUL_ADMISSION_ENABLED", "GRACEFUL_ADMISSION_PORT", "GRACEFUL_ADMISSION_WEBHOOK_NAME",
      "GRACEFUL_ADMISSION_SERVICE", "GRACEFUL_ADMISSION_URL", "GRACEFUL_ADMISSION_CERT_DIR",
      "GRACEFUL_ADMISSION_SECRET", "GRACEFUL_ADMISSION_CERT_VALIDITY_MINUTES");

  /** {@code new Setting("GRACEFUL_X", "default", ...)} in OperatorConfig.SETTINGS. */
  private static final Pattern SETTING = Pattern.compile("new Setting\\(\"(GRACEFUL_[A-Z_]+)\",\\s*\"([^\"]*)\"");

  /** GRACEFUL_* settings the operator reads, and their defaults, from the operator's source (OperatorConfig.SETTINGS). */
  static Map<String, String> operatorSettings() {
    String source = Chart.read(Chart.root()
        .resolve("operator/src/main/java/io/graceful/operator/config/OperatorConfig.java"));
    Map<String, String> settings = new LinkedHashMap<>();
    Matcher m = SETTING.matcher(source);
    while (m.find()) {
      settings.put(m.group(1), m.group(2));
    }
    assertThat(settings).as("settings parsed from OperatorConfig.java").containsKey("GRACEFUL_WATCH_NAMESPACES");
    return settings;
  }

  private static PodSpec pod(Chart.Rendered r) {
    return r.deployment().getSpec().getTemplate().getSpec();
  }

  private static Container container(Chart.Rendered r) {
    List<Container> containers = pod(r).getContainers();
    assertThat(containers).hasSize(1);
    return containers.get(0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"defaults", "namespaced.yaml", "ha-off.yaml", "json-logs.yaml", "custom.yaml"})
  void podPassesPodSecurityRestricted(String values) {
    Chart.Rendered r = values.equals("defaults") ? Chart.render() : Chart.render(values);
    PodSpec pod = pod(r);
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostIPC()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getInitContainers()).isNullOrEmpty();
    assertThat(pod.getVolumes()).allSatisfy(v -> assertThat(v.getHostPath()).as("hostPath volume").isNull());
    assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("tmp")).singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    PodSecurityContext psc = pod.getSecurityContext();
    assertThat(psc.getRunAsNonRoot()).isTrue();
    // no fixed UID by default (defaultSecurityContextFixesNoUid); a platform may set one, never 0
    assertThat(psc.getRunAsUser()).satisfiesAnyOf(u -> assertThat(u).isNull(), u -> assertThat(u).isPositive());
    assertThat(psc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getAutomountServiceAccountToken()).isTrue();

    Container c = container(r);
    SecurityContext sc = c.getSecurityContext();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getPrivileged()).isFalse();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getRunAsNonRoot()).isTrue();
    assertThat(sc.getRunAsUser()).satisfiesAnyOf(u -> assertThat(u).isNull(), u -> assertThat(u).isPositive());
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(c.getPorts()).allSatisfy(p -> assertThat(p.getHostPort()).isNull());

    // read-only root: the JVM's tmpdir is a writable emptyDir
    assertThat(c.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getMountPath()).isEqualTo("/tmp");
      assertThat(pod.getVolumes()).anySatisfy(v -> {
        assertThat(v.getName()).isEqualTo(m.getName());
        assertThat(v.getEmptyDir()).isNotNull();
      });
    });
    assertThat(r.env().get("JAVA_TOOL_OPTIONS")).contains("-Djava.io.tmpdir=/tmp");
  }

  @Test
  void probesAndPortsUseTheNamedHttpPort() {
    Chart.Rendered r = Chart.render();
    Container c = container(r);
    // and the webhook's port (AdmissionChartTest)
    assertThat(c.getPorts()).hasSize(2).first().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getContainerPort()).isEqualTo(8080);
      assertThat(p.getProtocol()).isEqualTo("TCP");
    });
    assertThat(r.env()).contains(entry("GRACEFUL_HTTP_PORT", "8080"));
    assertHttpGet(c.getLivenessProbe(), "/healthz");
    assertHttpGet(c.getReadinessProbe(), "/readyz");
    assertHttpGet(c.getStartupProbe(), "/healthz");
    // the startup probe gives the JVM time; liveness must not kill a slow-starting JVM on its own
    Probe s = c.getStartupProbe();
    assertThat(s.getPeriodSeconds() * s.getFailureThreshold()).isGreaterThanOrEqualTo(60);

    Service svc = r.all(Service.class).stream().filter(x -> x.getMetadata().getName().endsWith("-metrics"))
        .findFirst().orElseThrow();
    assertThat(svc.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getPort()).isEqualTo(8080);
      assertThat(p.getTargetPort()).isEqualTo(new IntOrString("http"));
    });
    assertThat(svc.getSpec().getSelector())
        .isEqualTo(r.deployment().getSpec().getSelector().getMatchLabels());
  }

  private static void assertHttpGet(Probe probe, String path) {
    assertThat(probe).as("probe %s", path).isNotNull();
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getHttpGet().getPort()).isEqualTo(new IntOrString("http"));
  }

  @Test
  void defaultEnvironmentMatchesDefaultValues() {
    Chart.Rendered r = Chart.render();
    assertThat(r.env()).containsExactly(
        entry("POD_NAME", null),
        entry("POD_NAMESPACE", null),
        entry("GRACEFUL_WATCH_NAMESPACES", ""),
        entry("GRACEFUL_NATIVE_SLEEP", "auto"),
        entry("GRACEFUL_MAX_REAPPLIES", "3"),
        entry("GRACEFUL_RECONCILE_THREADS", "10"),
        entry("GRACEFUL_LEADER_ELECTION", "true"),
        entry("GRACEFUL_LEASE_NAME", Chart.FULLNAME),
        entry("GRACEFUL_LEASE_NAMESPACE", Chart.NAMESPACE),
        entry("GRACEFUL_HTTP_PORT", "8080"),
        entry("GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS", "20"),
        entry("GRACEFUL_START_TIMEOUT_SECONDS", "120"),
        entry("GRACEFUL_LOG_LEVEL", "INFO"),
        entry("GRACEFUL_LOG_FORMAT", "text"),
        entry("GRACEFUL_MAX_CONCURRENT_ROLLOUTS", "10"),
        entry("GRACEFUL_MAX_CONCURRENT_ROLLOUTS_PER_NAMESPACE", "0"),
        entry("GRACEFUL_ROLLOUT_FAILURE_THRESHOLD", "3"),
        entry("GRACEFUL_POLICY_SETTLE_SECONDS", "2"),
        entry("GRACEFUL_RETRY_MAX_DELAY_SECONDS", "300"),
        entry("GRACEFUL_MEASURE_DRAIN", "false"),
        entry("GRACEFUL_DRAIN_WINDOW_MINUTES", "1440"),
        entry("GRACEFUL_DRAIN_MIN_SAMPLES", "10"),
        entry("GRACEFUL_ADMISSION_ENABLED", "true"),
        entry("GRACEFUL_ADMISSION_PORT", "9443"),
        entry("GRACEFUL_ADMISSION_WEBHOOK_NAME", Chart.FULLNAME + "." + Chart.NAMESPACE),
        entry("GRACEFUL_ADMISSION_SERVICE", Chart.FULLNAME + "-webhook"),
        entry("GRACEFUL_ADMISSION_URL", ""),
        entry("GRACEFUL_ADMISSION_CERT_DIR", ""),
        entry("GRACEFUL_ADMISSION_SECRET", Chart.FULLNAME + "-webhook-tls"),
        entry("GRACEFUL_ADMISSION_CERT_VALIDITY_MINUTES", "525600"),
        entry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75 -Djava.io.tmpdir=/tmp"));
    Container c = container(r);
    assertThat(c.getEnv()).filteredOn(e -> e.getName().startsWith("POD_")).allSatisfy(e ->
        assertThat(e.getValueFrom().getFieldRef().getFieldPath())
            .isEqualTo(e.getName().equals("POD_NAME") ? "metadata.name" : "metadata.namespace"));
  }

  /**
   * Every setting the operator reads has a chart value: extraEnv refuses GRACEFUL_* names, so a setting the chart
   * does not render could not be set at all. A new setting in OperatorConfig fails this until the chart has it.
   */
  @Test
  void everyOperatorSettingIsSetByTheChart() {
    Map<String, String> settings = operatorSettings();
    assertThat(Chart.render().env().keySet()).filteredOn(n -> n.startsWith("GRACEFUL_"))
        .containsExactlyInAnyOrderElementsOf(settings.keySet());
    assertThat(KNOWN_ENV).filteredOn(n -> n.startsWith("GRACEFUL_"))
        .containsExactlyInAnyOrderElementsOf(settings.keySet());
    // the chart's defaults for these are the operator's own (the chart changes only leader election and the Lease)
    Map<String, String> env = Chart.render().env();
    for (String same : List.of("GRACEFUL_START_TIMEOUT_SECONDS", "GRACEFUL_POLICY_SETTLE_SECONDS",
        "GRACEFUL_RETRY_MAX_DELAY_SECONDS", "GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS", "GRACEFUL_MAX_REAPPLIES",
        "GRACEFUL_RECONCILE_THREADS", "GRACEFUL_MAX_CONCURRENT_ROLLOUTS", "GRACEFUL_ROLLOUT_FAILURE_THRESHOLD",
        "GRACEFUL_MEASURE_DRAIN", "GRACEFUL_DRAIN_WINDOW_MINUTES", "GRACEFUL_DRAIN_MIN_SAMPLES")) {
      assertThat(env.get(same)).as("chart default of %s", same).isEqualTo(settings.get(same));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"defaults", "namespaced.yaml", "ha-off.yaml", "json-logs.yaml", "custom.yaml"})
  void onlyKnownVariablesAreSet(String values) {
    Chart.Rendered r = values.equals("defaults") ? Chart.render() : Chart.render(values);
    assertThat(r.env().keySet()).filteredOn(n -> n.startsWith("GRACEFUL_")).isSubsetOf(KNOWN_ENV);
    assertThat(container(r).getEnv()).extracting(e -> e.getName()).doesNotHaveDuplicates();
  }

  @Test
  void environmentFollowsValues() {
    assertThat(Chart.render("namespaced.yaml").env()).contains(entry("GRACEFUL_WATCH_NAMESPACES", "team-a,team-b"));
    assertThat(Chart.render("json-logs.yaml").env())
        .contains(entry("GRACEFUL_LOG_FORMAT", "json"), entry("GRACEFUL_LOG_LEVEL", "DEBUG"));
    Map<String, String> haOff = Chart.render("ha-off.yaml").env();
    assertThat(Chart.Rendered.parse(Chart.template().set("drain.measure", true).set("drain.windowMinutes", 90)
        .set("drain.minSamples", 20).call()).env()).contains(entry("GRACEFUL_MEASURE_DRAIN", "true"),
        entry("GRACEFUL_DRAIN_WINDOW_MINUTES", "90"), entry("GRACEFUL_DRAIN_MIN_SAMPLES", "20"));
    assertThat(haOff).contains(entry("GRACEFUL_LEADER_ELECTION", "false"))
        .doesNotContainKeys("GRACEFUL_LEASE_NAME", "GRACEFUL_LEASE_NAMESPACE");
    assertThat(Chart.render("custom.yaml").env()).contains(
        entry("GRACEFUL_NATIVE_SLEEP", "false"),
        entry("GRACEFUL_MAX_REAPPLIES", "5"),
        entry("GRACEFUL_RECONCILE_THREADS", "4"),
        entry("GRACEFUL_LEASE_NAME", "graceful-leader"),
        entry("GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS", "45"),
        entry("GRACEFUL_MAX_CONCURRENT_ROLLOUTS", "2"),
        entry("GRACEFUL_MAX_CONCURRENT_ROLLOUTS_PER_NAMESPACE", "1"),
        entry("GRACEFUL_ROLLOUT_FAILURE_THRESHOLD", "0"),
        entry("GRACEFUL_START_TIMEOUT_SECONDS", "300"),
        entry("GRACEFUL_POLICY_SETTLE_SECONDS", "0"),
        entry("GRACEFUL_RETRY_MAX_DELAY_SECONDS", "60"),
        entry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"));
    // --set nativeSleep=true arrives as a boolean; it must still become the string the operator reads
    assertThat(Chart.Rendered.parse(Chart.template().set("nativeSleep", true).call()).env())
        .contains(entry("GRACEFUL_NATIVE_SLEEP", "true"));
  }

  @Test
  void customValuesReachThePod() {
    Chart.Rendered r = Chart.render("custom.yaml");
    PodSpec pod = pod(r);
    Container c = container(r);
    assertThat(c.getImage()).isEqualTo("registry.example.com/platform/graceful-operator:0.1.0-rc1"
        + "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    assertThat(c.getImagePullPolicy()).isEqualTo("Always");
    assertThat(pod.getImagePullSecrets()).extracting(s -> s.getName()).containsExactly("regcred");
    assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("250m"))
        .containsEntry("memory", new Quantity("384Mi"));
    assertThat(c.getResources().getLimits()).containsEntry("memory", new Quantity("768Mi"));
    assertThat(r.deployment().getSpec().getReplicas()).isEqualTo(3);
    assertThat(pod.getServiceAccountName()).isEqualTo("graceful-sa");
    assertThat(r.one(ServiceAccount.class).getMetadata().getAnnotations())
        .containsEntry("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/graceful");
    assertThat(pod.getPriorityClassName()).isEqualTo("system-cluster-critical");
    assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
    assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
    assertThat(pod.getAffinity().getNodeAffinity()).isNotNull();
    assertThat(pod.getTopologySpreadConstraints()).singleElement().satisfies(t -> {
      assertThat(t.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone");
      assertThat(t.getLabelSelector().getMatchLabels())
          .isEqualTo(r.deployment().getSpec().getSelector().getMatchLabels());
    });
    Map<String, String> podLabels = r.deployment().getSpec().getTemplate().getMetadata().getLabels();
    assertThat(podLabels).containsEntry("cost-center", "42").containsEntry("team", "platform")
        .containsAllEntriesOf(r.deployment().getSpec().getSelector().getMatchLabels());
    assertThat(r.deployment().getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("example.com/scrape", "true");
    r.objects().forEach(o -> {
      assertThat(o.getMetadata().getLabels()).as("labels of %s", Chart.id(o)).containsEntry("team", "platform");
      assertThat(o.getMetadata().getAnnotations()).as("annotations of %s", Chart.id(o))
          .containsEntry("owner", "platform@example.com");
    });
    assertThat(r.all(Service.class)).filteredOn(svc -> svc.getMetadata().getName().endsWith("-metrics"))
        .singleElement().satisfies(svc -> assertThat(svc.getSpec().getPorts().get(0).getPort()).isEqualTo(9090));
  }

  @Test
  void extraEnvVolumesAnnotationsStrategyAndProbeTimingsReachTheDeployment() {
    Chart.Rendered r = Chart.render("custom.yaml");
    Container c = container(r);
    assertThat(c.getEnv()).extracting(e -> e.getName()).endsWith("HTTPS_PROXY", "API_TOKEN");
    assertThat(r.env()).containsEntry("HTTPS_PROXY", "http://proxy.example.com:3128");
    assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("API_TOKEN")).singleElement()
        .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("graceful-token"));
    assertThat(pod(r).getVolumes()).extracting(v -> v.getName()).containsExactly("tmp", "ca-bundle");
    assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactly("/tmp", "/etc/ssl/custom");
    assertThat(r.deployment().getMetadata().getAnnotations())
        .containsEntry("reloader.stakater.com/auto", "true").containsEntry("owner", "platform@example.com");
    assertThat(r.deployment().getSpec().getTemplate().getMetadata().getAnnotations())
        .doesNotContainKey("reloader.stakater.com/auto");
    assertThat(r.deployment().getSpec().getStrategy().getType()).isEqualTo("Recreate");
    Probe liveness = c.getLivenessProbe();
    assertThat(List.of(liveness.getInitialDelaySeconds(), liveness.getPeriodSeconds(), liveness.getTimeoutSeconds(),
        liveness.getFailureThreshold())).containsExactly(7, 20, 3, 6);
    assertThat(c.getStartupProbe().getFailureThreshold()).isEqualTo(90);
    assertThat(c.getReadinessProbe().getPeriodSeconds()).isEqualTo(3);
    // the platform's UID, when one is wanted, goes through the security context values
    assertThat(pod(r).getSecurityContext().getRunAsUser()).isEqualTo(1000650000L);
    assertThat(pod(r).getSecurityContext().getFsGroup()).isEqualTo(1000650000L);
  }

  /** OpenShift's restricted-v2 assigns a UID from the namespace's range; a fixed one would be refused there. */
  @ParameterizedTest
  @ValueSource(strings = {"defaults", "namespaced.yaml", "ha-off.yaml", "json-logs.yaml"})
  void defaultSecurityContextFixesNoUid(String values) {
    Chart.Rendered r = values.equals("defaults") ? Chart.render() : Chart.render(values);
    PodSecurityContext psc = pod(r).getSecurityContext();
    SecurityContext sc = container(r).getSecurityContext();
    assertThat(psc.getRunAsUser()).isNull();
    assertThat(psc.getRunAsGroup()).isNull();
    assertThat(psc.getFsGroup()).isNull();
    assertThat(sc.getRunAsUser()).isNull();
    assertThat(sc.getRunAsGroup()).isNull();
    assertThat(r.raw()).doesNotContain("65532");
  }

  @Test
  void defaultStrategyAndProbeTimings() {
    Chart.Rendered r = Chart.render();
    var strategy = r.deployment().getSpec().getStrategy();
    assertThat(strategy.getType()).isEqualTo("RollingUpdate");
    // a new pod is ready before an old one stops: a warm standby always exists for the Lease
    assertThat(strategy.getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString(0));
    assertThat(strategy.getRollingUpdate().getMaxSurge()).isEqualTo(new IntOrString(1));
    Container c = container(r);
    assertThat(List.of(c.getStartupProbe().getPeriodSeconds(), c.getStartupProbe().getFailureThreshold(),
        c.getStartupProbe().getTimeoutSeconds())).containsExactly(2, 60, 2);
    assertThat(List.of(c.getLivenessProbe().getPeriodSeconds(), c.getLivenessProbe().getFailureThreshold(),
        c.getLivenessProbe().getTimeoutSeconds())).containsExactly(10, 3, 5);
    assertThat(List.of(c.getReadinessProbe().getPeriodSeconds(), c.getReadinessProbe().getFailureThreshold(),
        c.getReadinessProbe().getTimeoutSeconds())).containsExactly(5, 2, 5);
    assertThat(r.deployment().getMetadata().getAnnotations()).isNullOrEmpty();
  }

  @Test
  void defaultResourcesAreSensible() {
    Container c = container(Chart.render());
    assertThat(c.getResources().getRequests())
        .containsOnly(entry("cpu", new Quantity("100m")), entry("memory", new Quantity("256Mi")));
    assertThat(c.getResources().getLimits()).containsOnly(entry("memory", new Quantity("512Mi")));
  }

  @Test
  void everyObjectCarriesTheStandardLabels() {
    Chart.Rendered r = Chart.render();
    r.objects().forEach(o -> assertThat(o.getMetadata().getLabels()).as("labels of %s", Chart.id(o))
        .containsEntry("app.kubernetes.io/name", "graceful-operator")
        .containsEntry("app.kubernetes.io/instance", Chart.RELEASE)
        .containsEntry("app.kubernetes.io/version", "0.1.0")
        .containsEntry("app.kubernetes.io/managed-by", "Helm")
        .containsEntry("helm.sh/chart", "graceful-operator-0.2.0"));
    r.objects().stream().filter(o -> !o.getKind().startsWith("Cluster")
            && !o.getKind().equals("MutatingWebhookConfiguration"))
        .forEach(o -> assertThat(o.getMetadata().getNamespace()).as("namespace of %s", Chart.id(o))
            .isEqualTo(Chart.NAMESPACE));
  }

  // ---- dogfood: rule R1, docs/rules.md on the operator's own container ----

  @ParameterizedTest
  @ValueSource(strings = {"defaults", "ha-off.yaml", "custom.yaml"})
  void ownPreStopAndGracePeriodObeyRuleR1(String values) {
    Chart.Rendered r = values.equals("defaults") ? Chart.render() : Chart.render(values);
    long tgps = pod(r).getTerminationGracePeriodSeconds();
    long shutdown = Long.parseLong(r.env().get("GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS"));
    long sleep = sleepSeconds(container(r).getLifecycle().getPreStop());
    assertThat(sleep).isPositive();
    assertThat(sleep).as("hook sleep < TGPS").isLessThan(tgps);
    assertThat(sleep + shutdown).as("sleep + shutdown <= TGPS").isLessThanOrEqualTo(tgps);
    assertThat(tgps).as("TGPS = sleep + shutdown + 5").isEqualTo(sleep + shutdown + 5);
  }

  @Test
  void preStopIsNativeSleepFrom130AndExecSleepBefore() {
    LifecycleHandler on130 = container(Chart.render()).getLifecycle().getPreStop();
    assertThat(on130.getSleep().getSeconds()).isEqualTo(5L);
    assertThat(on130.getExec()).isNull();

    LifecycleHandler on129 = container(Chart.Rendered.parse(Chart.template().withKubeVersion("v1.29.4").call()))
        .getLifecycle().getPreStop();
    assertThat(on129.getSleep()).isNull();
    assertThat(on129.getExec().getCommand()).containsExactly("sleep", "5");

    LifecycleHandler forced = container(Chart.Rendered.parse(Chart.template().withKubeVersion("v1.29.4")
        .set("preStop.action", "Sleep").set("preStop.sleepSeconds", 7).call())).getLifecycle().getPreStop();
    assertThat(forced.getSleep().getSeconds()).isEqualTo(7L);
  }

  private static long sleepSeconds(LifecycleHandler h) {
    if (h.getSleep() != null) {
      assertThat(h.getExec()).as("one action per handler").isNull();
      return h.getSleep().getSeconds();
    }
    List<String> cmd = h.getExec().getCommand();
    assertThat(cmd).hasSize(2).first().isEqualTo("sleep");
    return Long.parseLong(cmd.get(1));
  }

  /**
   * Decision: the start timeout is not tied to the startup probe. /healthz answers 200 while the operator starts
   * (Main serves it before start-up, "starting counts as alive") and the process exits with code 3 itself when the
   * start timeout passes, so the probe only covers the JVM's boot. Requiring periodSeconds * failureThreshold >=
   * startTimeoutSeconds would only force needless probe changes on whoever raises the timeout.
   */
  @Test
  void startTimeoutIsIndependentOfTheStartupProbe() {
    Chart.Rendered r = Chart.Rendered.parse(Chart.template().set("startTimeoutSeconds", 3600).call());
    assertThat(r.env()).containsEntry("GRACEFUL_START_TIMEOUT_SECONDS", "3600");
    Probe startup = container(r).getStartupProbe();
    assertThat(List.of(startup.getPeriodSeconds(), startup.getFailureThreshold())).containsExactly(2, 60);
    assertThat(startup.getHttpGet().getPath()).isEqualTo("/healthz");
    // the premise of the decision, as the operator states it where it serves /healthz before starting
    assertThat(Chart.read(Chart.root().resolve("operator/src/main/java/io/graceful/operator/Main.java")))
        .contains("Starting counts as alive: it is bounded by the start timeout.");
  }

  @Test
  void serviceLinksAreOffUnlessAskedFor() {
    assertThat(pod(Chart.render()).getEnableServiceLinks()).isFalse();
    assertThat(pod(Chart.render("custom.yaml")).getEnableServiceLinks()).isTrue();
    // the token stays: the operator authenticates with it
    assertThat(pod(Chart.render()).getAutomountServiceAccountToken()).isTrue();
    assertThat(Chart.render().one(ServiceAccount.class).getAutomountServiceAccountToken()).isTrue();
  }

  // ---- image reference ----

  private static String image(TemplateCommand t) {
    return container(Chart.Rendered.parse(t.call())).getImage();
  }

  @Test
  void imageRegistryReplacesTheRepositorysRegistryAndGlobalImageRegistryWins() {
    assertThat(image(Chart.template())).isEqualTo("ghcr.io/graceful-io/graceful-operator:0.1.0");
    assertThat(image(Chart.template().set("image.registry", "mirror.example.com")))
        .isEqualTo("mirror.example.com/graceful-io/graceful-operator:0.1.0");
    assertThat(image(Chart.template().set("image.registry", "harbor.example.com/ghcr-proxy")))
        .isEqualTo("harbor.example.com/ghcr-proxy/graceful-io/graceful-operator:0.1.0");
    // a repository without a registry host gets the registry in front
    assertThat(image(Chart.template().set("image.registry", "localhost:5000")
        .set("image.repository", "graceful-io/graceful-operator")))
        .isEqualTo("localhost:5000/graceful-io/graceful-operator:0.1.0");
    assertThat(image(Chart.template().set("image.registry", "localhost:5000")
        .set("image.repository", "localhost/graceful-operator")))
        .isEqualTo("localhost:5000/graceful-operator:0.1.0");
    assertThat(image(Chart.template().set("global.imageRegistry", "global.example.com")))
        .isEqualTo("global.example.com/graceful-io/graceful-operator:0.1.0");
    assertThat(image(Chart.template().set("global.imageRegistry", "global.example.com")
        .set("image.registry", "mirror.example.com")))
        .isEqualTo("global.example.com/graceful-io/graceful-operator:0.1.0");
    assertThat(image(Chart.template().withValuesFile(Chart.valuesFile("custom.yaml"))
        .set("global.imageRegistry", "global.example.com:8443")))
        .isEqualTo("global.example.com:8443/platform/graceful-operator:0.1.0-rc1"
            + "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  }

  // ---- PodDisruptionBudget ----

  @Test
  void pdbOnlyWhenMoreThanOneReplica() {
    PodDisruptionBudget pdb = Chart.render().one(PodDisruptionBudget.class);
    assertThat(pdb.getSpec().getMinAvailable()).isEqualTo(new IntOrString(1));
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(Chart.render().deployment().getSpec().getSelector().getMatchLabels());
    assertThat(Chart.render("ha-off.yaml").all(PodDisruptionBudget.class)).isEmpty();
    assertThat(Chart.Rendered.parse(Chart.template().set("replicas", 1).call()).all(PodDisruptionBudget.class))
        .isEmpty();
    assertThat(Chart.Rendered.parse(Chart.template().set("podDisruptionBudget.enabled", false).call())
        .all(PodDisruptionBudget.class)).isEmpty();
    assertThat(Chart.render("custom.yaml").one(PodDisruptionBudget.class).getSpec().getMinAvailable())
        .isEqualTo(new IntOrString(2));
  }

  @Test
  void pdbTakesMaxUnavailableInsteadOfMinAvailableAndAnEvictionPolicyOnlyWhenSet() {
    PodDisruptionBudget defaults = Chart.render().one(PodDisruptionBudget.class);
    assertThat(defaults.getSpec().getMaxUnavailable()).isNull();
    assertThat(defaults.getSpec().getUnhealthyPodEvictionPolicy()).isNull();
    assertThat(Chart.render().raw()).doesNotContain("unhealthyPodEvictionPolicy").doesNotContain("maxUnavailable: \"\"");

    PodDisruptionBudget max = Chart.render("extras.yaml").one(PodDisruptionBudget.class);
    assertThat(max.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString("50%"));
    assertThat(max.getSpec().getMinAvailable()).isNull();
    PodDisruptionBudget byInt = Chart.Rendered.parse(Chart.template().set("podDisruptionBudget.minAvailable", "null")
        .set("podDisruptionBudget.maxUnavailable", 1).call()).one(PodDisruptionBudget.class);
    assertThat(byInt.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
    assertThat(byInt.getSpec().getMinAvailable()).isNull();

    assertThat(Chart.render("custom.yaml").one(PodDisruptionBudget.class).getSpec().getUnhealthyPodEvictionPolicy())
        .isEqualTo("AlwaysAllow");
  }

  @Test
  void defaultTopologySpreadKeepsReplicasOnDifferentNodesWhenPossible() {
    Chart.Rendered r = Chart.render();
    assertThat(pod(r).getTopologySpreadConstraints()).singleElement().satisfies(t -> {
      assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
      assertThat(t.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
      assertThat(t.getLabelSelector().getMatchLabels())
          .isEqualTo(r.deployment().getSpec().getSelector().getMatchLabels());
    });
    assertThat(pod(Chart.Rendered.parse(Chart.template().set("topologySpreadConstraints", "null").call()))
        .getTopologySpreadConstraints()).isNullOrEmpty();
  }

  @Test
  void serviceMonitorIsOptional() {
    assertThat(Chart.render().objects()).noneMatch(o -> o.getKind().equals("ServiceMonitor"));
    Chart.Rendered r = Chart.render("custom.yaml");
    var sm = r.objects().stream().filter(o -> o.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();
    assertThat(sm.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(sm.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
    assertThat(Chart.render().raw()).doesNotContain("ServiceMonitor");
    ContainerPort port = container(r).getPorts().get(0);
    assertThat(r.raw()).contains("port: " + port.getName() + "\n      path: /metrics");
  }
}
