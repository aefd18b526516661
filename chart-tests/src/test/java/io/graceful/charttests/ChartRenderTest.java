package io.graceful.charttests;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** `helm template` succeeds under the supported value sets and fails, clearly, on wrong values. */
class ChartRenderTest {

  @ParameterizedTest
  @ValueSource(strings = {"defaults", "namespaced.yaml", "ha-off.yaml", "json-logs.yaml", "custom.yaml", "extras.yaml"})
  void rendersUnderEveryValueSet(String values) {
    Chart.Rendered r = values.equals("defaults") ? Chart.render() : Chart.render(values);
    assertThat(r.all(Deployment.class)).hasSize(1);
    assertThat(r.all(ServiceAccount.class)).hasSize(1);
    // the metrics Service, and the webhook's where admission is on (not in a namespaced install)
    assertThat(r.all(Service.class)).extracting(svc -> svc.getMetadata().getName().replaceFirst(".*-", ""))
        .containsExactlyInAnyOrderElementsOf(values.equals("namespaced.yaml") ? List.of("metrics")
            : List.of("metrics", "webhook"));
    assertThat(r.raw()).doesNotContain("<no value>");
    r.objects().forEach(o -> assertThat(o.getMetadata().getName()).as("name of %s", Chart.id(o))
        .matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?").hasSizeLessThanOrEqualTo(63));
  }

  @Test
  void defaultRenderHasTheExpectedObjects() {
    assertThat(Chart.render().ids()).containsExactly(
        "PodDisruptionBudget graceful-system/graceful-graceful-operator",
        "ServiceAccount graceful-system/graceful-graceful-operator",
        "Secret graceful-system/graceful-graceful-operator-webhook-tls",
        "ClusterRole graceful-graceful-operator",
        "ClusterRole graceful-graceful-operator-edit",
        "ClusterRole graceful-graceful-operator-view",
        "ClusterRole graceful-graceful-operator-admission",
        "ClusterRoleBinding graceful-graceful-operator",
        "ClusterRoleBinding graceful-graceful-operator-admission",
        "Role graceful-system/graceful-graceful-operator-leader-election",
        "Role graceful-system/graceful-graceful-operator-admission",
        "RoleBinding graceful-system/graceful-graceful-operator-leader-election",
        "RoleBinding graceful-system/graceful-graceful-operator-admission",
        "Service graceful-system/graceful-graceful-operator-metrics",
        "Service graceful-system/graceful-graceful-operator-webhook",
        "Deployment graceful-system/graceful-graceful-operator",
        "MutatingWebhookConfiguration graceful-graceful-operator.graceful-system");
  }

  @Test
  void releaseNamedAfterTheChartIsNotRepeated() {
    Chart.Rendered r = Chart.Rendered.parse(new Helm(Chart.chartDir()).template().withName("graceful-operator")
        .withNamespace("ops").withKubeVersion(Chart.DEFAULT_KUBE_VERSION).skipCrds().call());
    assertThat(r.deployment().getMetadata().getName()).isEqualTo("graceful-operator");
    assertThat(r.deployment().getMetadata().getNamespace()).isEqualTo("ops");
  }

  static Stream<Arguments> wrongValues() {
    return Stream.of(
        Arguments.of("logFormat=xml", (UnaryOperator<TemplateCommand>) t -> t.set("logFormat", "xml"),
            "logFormat"),
        Arguments.of("logLevel=verbose", (UnaryOperator<TemplateCommand>) t -> t.set("logLevel", "verbose"),
            "logLevel"),
        Arguments.of("replicas=-1", (UnaryOperator<TemplateCommand>) t -> t.set("replicas", -1), "replicas"),
        Arguments.of("replicas=two", (UnaryOperator<TemplateCommand>) t -> t.set("replicas", "two"), "replicas"),
        Arguments.of("nativeSleep=maybe", (UnaryOperator<TemplateCommand>) t -> t.set("nativeSleep", "maybe"),
            "nativeSleep"),
        Arguments.of("rbac.readNodes=maybe", (UnaryOperator<TemplateCommand>) t -> t.set("rbac.readNodes", "maybe"),
            "readNodes"),
        Arguments.of("image.pullPolicy=Sometimes",
            (UnaryOperator<TemplateCommand>) t -> t.set("image.pullPolicy", "Sometimes"), "pullPolicy"),
        Arguments.of("maxReapplies=0", (UnaryOperator<TemplateCommand>) t -> t.set("maxReapplies", 0),
            "maxReapplies"),
        Arguments.of("reconcileThreads=500", (UnaryOperator<TemplateCommand>) t -> t.set("reconcileThreads", 500),
            "reconcileThreads"),
        Arguments.of("rollouts.maxConcurrent=-3",
            (UnaryOperator<TemplateCommand>) t -> t.set("rollouts.maxConcurrent", -3), "maxConcurrent"),
        Arguments.of("shutdownTimeoutSeconds=9000",
            (UnaryOperator<TemplateCommand>) t -> t.set("shutdownTimeoutSeconds", 9000), "shutdownTimeoutSeconds"),
        Arguments.of("preStop.sleepSeconds=0",
            (UnaryOperator<TemplateCommand>) t -> t.set("preStop.sleepSeconds", 0), "sleepSeconds"),
        Arguments.of("preStop.action=Http",
            (UnaryOperator<TemplateCommand>) t -> t.set("preStop.action", "Http"), "action"),
        Arguments.of("watchNamespaces=[Team_A]",
            (UnaryOperator<TemplateCommand>) t -> t.withValuesFile(Chart.valuesFile("bad-namespace.yaml")),
            "/watchNamespaces/0': 'Team_A' does not match pattern"),
        Arguments.of("watchNamespaces=[team-a, team-a]",
            (UnaryOperator<TemplateCommand>) t -> t.withValuesFile(Chart.valuesFile("duplicate-namespaces.yaml")),
            "/watchNamespaces"),
        Arguments.of("unknown top-level key extraEnvs",
            (UnaryOperator<TemplateCommand>) t -> t.set("extraEnvs[0].name", "HTTPS_PROXY"), "extraEnvs"),
        Arguments.of("extraEnv GRACEFUL_TYPO (the operator stops on unknown GRACEFUL_* variables)",
            (UnaryOperator<TemplateCommand>) t -> t.set("extraEnv[0].name", "GRACEFUL_TYPO"), "/extraEnv/0/name"),
        Arguments.of("extraEnv JAVA_TOOL_OPTIONS",
            (UnaryOperator<TemplateCommand>) t -> t.set("extraEnv[0].name", "JAVA_TOOL_OPTIONS")
                .set("extraEnv[0].value", "-Xmx1g"),
            "extraEnv: JAVA_TOOL_OPTIONS is set by the chart"),
        Arguments.of("extraVolumeMounts over /tmp",
            (UnaryOperator<TemplateCommand>) t -> t.set("extraVolumes[0].name", "x")
                .set("extraVolumes[0].emptyDir.medium", "Memory")
                .set("extraVolumeMounts[0].name", "x").set("extraVolumeMounts[0].mountPath", "/tmp/"),
            "extraVolumeMounts: /tmp is the chart's emptyDir"),
        Arguments.of("a ClusterGracefulPolicy in extraObjects of a namespaced install",
            (UnaryOperator<TemplateCommand>) t -> t.withValuesFile(Chart.valuesFile("namespaced.yaml"))
                .set("extraObjects[0].apiVersion", "graceful.io/v1alpha1")
                .set("extraObjects[0].kind", "ClusterGracefulPolicy")
                .set("extraObjects[0].metadata.name", "platform"),
            "a namespaced install (watchNamespaces set) does not serve cluster policies"),
        Arguments.of("extraVolumes named tmp",
            (UnaryOperator<TemplateCommand>) t -> t.set("extraVolumes[0].name", "tmp")
                .set("extraVolumes[0].emptyDir.medium", "Memory"),
            "extraVolumes: the volume name tmp"),
        Arguments.of("probes.liveness.periodSeconds=0",
            (UnaryOperator<TemplateCommand>) t -> t.set("probes.liveness.periodSeconds", 0), "periodSeconds"),
        Arguments.of("strategy.type=BlueGreen",
            (UnaryOperator<TemplateCommand>) t -> t.set("strategy.type", "BlueGreen"), "type"),
        Arguments.of("crds.keep=maybe",
            (UnaryOperator<TemplateCommand>) t -> t.set("crds.keep", "maybe"), "keep"),
        Arguments.of("alert for=soon",
            (UnaryOperator<TemplateCommand>) t -> t.set("metrics.prometheusRule.alerts.GracefulOperatorDown.for",
                "soon"), "for"),
        Arguments.of("unknown alert",
            (UnaryOperator<TemplateCommand>) t -> t.set("metrics.prometheusRule.alerts.Typo.enabled", true),
            "Typo"),
        Arguments.of("unknown nested key image.name",
            (UnaryOperator<TemplateCommand>) t -> t.set("image.name", "x"), "name"),
        Arguments.of("image.digest=latest",
            (UnaryOperator<TemplateCommand>) t -> t.set("image.digest", "latest"), "digest"),
        Arguments.of("podDisruptionBudget.minAvailable=0",
            (UnaryOperator<TemplateCommand>) t -> t.set("podDisruptionBudget.minAvailable", 0), "minAvailable"),
        Arguments.of("replicas=2 without leader election",
            (UnaryOperator<TemplateCommand>) t -> t.set("leaderElection.enabled", false),
            "replicas is 2 but leaderElection.enabled is false"),
        Arguments.of("serviceMonitor without service",
            (UnaryOperator<TemplateCommand>) t -> t.set("metrics.service.enabled", false)
                .set("metrics.serviceMonitor.enabled", true),
            "metrics.serviceMonitor.enabled requires metrics.service.enabled=true"),
        Arguments.of("startTimeoutSeconds=4 (the operator's minimum is 5)",
            (UnaryOperator<TemplateCommand>) t -> t.set("startTimeoutSeconds", 4), "startTimeoutSeconds"),
        Arguments.of("policySettleSeconds=301",
            (UnaryOperator<TemplateCommand>) t -> t.set("policySettleSeconds", 301), "policySettleSeconds"),
        Arguments.of("retryMaxDelaySeconds=0",
            (UnaryOperator<TemplateCommand>) t -> t.set("retryMaxDelaySeconds", 0), "retryMaxDelaySeconds"),
        Arguments.of("enableServiceLinks=yes",
            (UnaryOperator<TemplateCommand>) t -> t.set("enableServiceLinks", "yes"), "enableServiceLinks"),
        Arguments.of("image.registry with a scheme",
            (UnaryOperator<TemplateCommand>) t -> t.set("image.registry", "https://mirror.example.com"), "registry"),
        Arguments.of("global.imageRegistry with a trailing slash",
            (UnaryOperator<TemplateCommand>) t -> t.set("global.imageRegistry", "mirror.example.com/"),
            "imageRegistry"),
        Arguments.of("PDB minAvailable and maxUnavailable",
            (UnaryOperator<TemplateCommand>) t -> t.set("podDisruptionBudget.maxUnavailable", 1),
            "podDisruptionBudget: minAvailable (1) and maxUnavailable (1) are mutually exclusive; to use "
                + "maxUnavailable set minAvailable to null"),
        Arguments.of("PDB with neither",
            (UnaryOperator<TemplateCommand>) t -> t.set("podDisruptionBudget.minAvailable", "null"),
            "podDisruptionBudget: set minAvailable or maxUnavailable"),
        Arguments.of("PDB maxUnavailable=0",
            (UnaryOperator<TemplateCommand>) t -> t.set("podDisruptionBudget.minAvailable", "null")
                .set("podDisruptionBudget.maxUnavailable", 0), "maxUnavailable"),
        Arguments.of("PDB unhealthyPodEvictionPolicy=Never",
            (UnaryOperator<TemplateCommand>) t -> t.set("podDisruptionBudget.unhealthyPodEvictionPolicy", "Never"),
            "unhealthyPodEvictionPolicy"),
        Arguments.of("networkPolicy peer with a typo",
            (UnaryOperator<TemplateCommand>) t -> t.set("networkPolicy.metricsIngressFrom[0].namespaceSelectors.x",
                "y"), "namespaceSelectors"),
        Arguments.of("networkPolicy.apiServerPorts empty",
            (UnaryOperator<TemplateCommand>) t -> t.set("networkPolicy.apiServerPorts", "null"), "apiServerPorts"),
        Arguments.of("extraEgress rule with a typo",
            (UnaryOperator<TemplateCommand>) t -> t.set("networkPolicy.extraEgress[0].too[0].ipBlock.cidr",
                "10.0.0.0/8"), "too"),
        Arguments.of("serviceMonitor.namespace=Monitoring",
            (UnaryOperator<TemplateCommand>) t -> t.set("metrics.serviceMonitor.namespace", "Monitoring"),
            "namespace"),
        Arguments.of("extraObjects entry that is a number",
            (UnaryOperator<TemplateCommand>) t -> t.set("extraObjects[0]", 5), "extraObjects"),
        Arguments.of("existing ServiceAccount without a name",
            (UnaryOperator<TemplateCommand>) t -> t.set("serviceAccount.create", false),
            "serviceAccount.name is required when serviceAccount.create is false"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wrongValues")
  void wrongValuesFailWithAClearMessage(String name, UnaryOperator<TemplateCommand> values, String mentions) {
    String error = Chart.renderError(values.apply(Chart.template()));
    assertThat(error).as("error for %s", name).contains(mentions);
    System.out.printf("%s -> %s%n", name, error.replace('\n', ' '));
  }

  @Test
  void schemaErrorsNameTheValueAndTheRule() {
    assertThat(Chart.renderError(Chart.template().set("logFormat", "xml")))
        .contains("logFormat").contains("text").contains("json");
    assertThat(Chart.renderError(Chart.template().set("replicas", -1)))
        .contains("replicas").contains("minimum");
  }

  @Test
  void clustersOlderThan125AreRefused() {
    assertThat(Chart.renderError(Chart.template().withKubeVersion("v1.24.0")))
        .contains("kubeVersion").contains(">=1.25.0-0");
  }

  /**
   * global.imageRegistry is the only global the chart reads (PodSpecTest checks what it does); any other global an
   * umbrella chart passes is accepted and changes nothing.
   */
  @Test
  void globalValuesOtherThanImageRegistryAreAcceptedAndIgnored() {
    String withGlobals = Chart.template().set("global.imagePullSecrets[0].name", "regcred")
        .set("global.storageClass", "fast").set("global.security.allowInsecureImages", true).call();
    assertThat(withGlobals).isEqualTo(Chart.renderRaw());
    assertThat(Chart.template().set("global.imageRegistry", "mirror.example.com").call())
        .isNotEqualTo(Chart.renderRaw());
    // one read of .Values.global in all templates: the image repository helper's imageRegistry
    StringBuilder reads = new StringBuilder();
    try (Stream<java.nio.file.Path> files = java.nio.file.Files.list(Chart.chartDir().resolve("templates"))) {
      files.sorted().forEach(p -> Chart.read(p).lines().filter(l -> l.contains(".Values.global"))
          .forEach(l -> reads.append(l.strip()).append('\n')));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(reads.toString().lines()).singleElement().asString().contains(".imageRegistry");
  }

  @Test
  void extraObjectsAreRenderedThroughTpl() {
    Chart.Rendered r = Chart.render("extras.yaml");
    ConfigMap cm = r.one(ConfigMap.class);
    assertThat(cm.getMetadata().getName()).isEqualTo(Chart.FULLNAME + "-ca");
    assertThat(cm.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
    assertThat(cm.getData()).containsEntry("release", Chart.RELEASE);
    Secret secret = r.all(Secret.class).stream().filter(x -> !x.getMetadata().getName().endsWith("-webhook-tls"))
        .findFirst().orElseThrow();
    assertThat(secret.getMetadata().getName()).isEqualTo(Chart.RELEASE + "-proxy");
    assertThat(secret.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
    assertThat(secret.getStringData()).containsEntry("url", "http://proxy.example.com:3128");
    assertThat(Chart.render().all(ConfigMap.class)).isEmpty();
    assertThat(Chart.render().all(Secret.class)).as("only the webhook's, which the operator fills")
        .extracting(x -> x.getMetadata().getName()).containsExactly(Chart.FULLNAME + "-webhook-tls");
  }

  @Test
  void singleReplicaWithoutLeaderElectionIsAllowed() {
    Chart.Rendered r = Chart.render("ha-off.yaml");
    assertThat(r.deployment().getSpec().getReplicas()).isEqualTo(1);
  }

  @Test
  void notesTellTheUserWhatToDoNext() {
    Release release = new Helm(Chart.chartDir()).install().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
        .withKubeVersion(Chart.DEFAULT_KUBE_VERSION).clientOnly().dryRun().call();
    String notes = release.getOutput();
    assertThat(notes)
        .contains("kind: GracefulPolicy")
        .contains("kubectl get gracefulpolicies -A")
        .contains("events --for deployment/")
        .contains("helm uninstall graceful -n graceful-system")
        .contains("CRD is NOT removed")
        .contains("kubectl apply --server-side -f crd/")
        .contains("rollout status deployment/graceful-graceful-operator")
        .doesNotContain("<no value>");
    String templated = new Helm(Chart.chartDir()).install().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
        .withKubeVersion(Chart.DEFAULT_KUBE_VERSION).set("crds.enabled", true).clientOnly().dryRun().call()
        .getOutput();
    assertThat(templated).contains("crds.keep=true").contains("helm upgrade upgrades it")
        .doesNotContain("kubectl apply --server-side -f crd/");
  }
}
