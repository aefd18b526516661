package io.graceful.charttests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * admission.enabled (on by default, off in a namespaced install): the webhook's Service, port and settings, its MutatingWebhookConfiguration (never blocking,
 * never on system namespaces), its Secret (without cert-manager), and RBAC to read and update exactly those two by
 * name: no right to create either.
 */
class AdmissionChartTest {
  private static final String WEBHOOK = Chart.FULLNAME + "." + Chart.NAMESPACE;

  private static Chart.Rendered render(String... sets) {
    var t = Chart.template().set("admission.enabled", "true");
    for (int i = 0; i < sets.length; i += 2) {
      t = t.set(sets[i], sets[i + 1]);
    }
    return Chart.Rendered.parse(t.call());
  }

  private static List<String> rules(List<PolicyRule> rules) {
    return rules.stream().flatMap(r -> r.getVerbs().stream().map(v -> v + " " + String.join(",", r.getResources())
        + (r.getResourceNames() == null || r.getResourceNames().isEmpty() ? ""
            : " " + String.join(",", r.getResourceNames())))).toList();
  }

  @Test
  void onByDefaultInAClusterWideInstall() {
    Chart.Rendered r = Chart.render();
    assertThat(r.env()).contains(entry("GRACEFUL_ADMISSION_ENABLED", "true"));
    assertThat(r.one(MutatingWebhookConfiguration.class).getMetadata().getName()).isEqualTo(WEBHOOK);
  }

  @Test
  void offWhenTurnedOffNothingRendered() {
    Chart.Rendered r = render("admission.enabled", "false");
    assertThat(r.ids()).noneMatch(id -> id.contains("webhook") || id.contains("admission"));
    assertThat(r.env()).contains(entry("GRACEFUL_ADMISSION_ENABLED", "false"));
    assertThat(r.deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
        .noneMatch(p -> "webhook".equals(p.getName()));
  }

  /**
   * A namespaced install keeps its objects and rights in namespaces; the webhook configuration is cluster-scoped and
   * in every write's path, so admission is off there even when asked for (README "Admission").
   */
  @Test
  void alwaysOffInANamespacedInstall() {
    for (Chart.Rendered r : List.of(Chart.render("namespaced.yaml"), Chart.Rendered.parse(Chart.template()
        .withValuesFile(Chart.valuesFile("namespaced.yaml")).set("admission.enabled", "true")
        .set("networkPolicy.enabled", "true").call()))) {
      assertThat(r.ids()).noneMatch(id -> id.contains("webhook") || id.contains("admission"));
      assertThat(r.env()).contains(entry("GRACEFUL_ADMISSION_ENABLED", "false"));
      assertThat(r.all(Secret.class)).isEmpty();
    }
  }

  @Test
  void onServesTheWebhookWithRightsToItsOwnObjectsOnly() {
    Chart.Rendered r = render();
    assertThat(r.env()).contains(entry("GRACEFUL_ADMISSION_ENABLED", "true"),
        entry("GRACEFUL_ADMISSION_WEBHOOK_NAME", WEBHOOK),
        entry("GRACEFUL_ADMISSION_SERVICE", Chart.FULLNAME + "-webhook"));
    assertThat(r.deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
        .anySatisfy(p -> {
          assertThat(p.getName()).isEqualTo("webhook");
          assertThat(p.getContainerPort()).isEqualTo(9443);
        });
    Service svc = r.all(Service.class).stream().filter(s -> s.getMetadata().getName().endsWith("-webhook"))
        .findFirst().orElseThrow();
    assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getPort()).isEqualTo(443);
      assertThat(p.getTargetPort().getStrVal()).isEqualTo("webhook");
    });
    ClusterRole cr = r.all(ClusterRole.class).stream()
        .filter(c -> c.getMetadata().getName().endsWith("-admission")).findFirst().orElseThrow();
    assertThat(rules(cr.getRules())).as("no right to create webhook configurations").containsExactlyInAnyOrder(
        "get mutatingwebhookconfigurations " + WEBHOOK, "patch mutatingwebhookconfigurations " + WEBHOOK);
    Role role = r.all(Role.class).stream().filter(c -> c.getMetadata().getName().endsWith("-admission"))
        .findFirst().orElseThrow();
    assertThat(rules(role.getRules())).as("no right to create Secrets").containsExactlyInAnyOrder(
        "get secrets " + Chart.FULLNAME + "-webhook-tls", "update secrets " + Chart.FULLNAME + "-webhook-tls");
    Secret secret = r.all(Secret.class).stream().filter(x -> x.getMetadata().getName().endsWith("-webhook-tls"))
        .findFirst().orElseThrow();
    assertThat(secret.getData()).as("the operator fills it").isNullOrEmpty();
  }

  @Test
  void theWebhookConfigurationCannotBlockWritesNorReachSystemNamespaces() {
    MutatingWebhookConfiguration mwc = render().one(MutatingWebhookConfiguration.class);
    assertThat(mwc.getMetadata().getName()).isEqualTo(WEBHOOK);
    assertThat(mwc.getWebhooks()).singleElement().satisfies(w -> {
      assertThat(w.getName()).isEqualTo("workloads.graceful.io");
      assertThat(w.getFailurePolicy()).isEqualTo("Ignore");
      assertThat(w.getSideEffects()).isEqualTo("None");
      assertThat(w.getTimeoutSeconds()).isBetween(1, 5);
      assertThat(w.getAdmissionReviewVersions()).containsExactly("v1");
      assertThat(w.getClientConfig().getCaBundle()).as("the operator's to write").isNull();
      assertThat(w.getClientConfig().getService().getName()).isEqualTo(Chart.FULLNAME + "-webhook");
      assertThat(w.getClientConfig().getService().getPath()).isEqualTo("/mutate");
      assertThat(w.getRules()).flatExtracting(rule -> rule.getResources())
          .containsExactlyInAnyOrder("deployments", "statefulsets", "daemonsets", "rollouts");
      assertThat(w.getRules()).allSatisfy(rule ->
          assertThat(rule.getOperations()).containsExactlyInAnyOrder("CREATE", "UPDATE"));
      assertThat(w.getNamespaceSelector().getMatchExpressions().get(0).getValues())
          .containsExactlyInAnyOrder("kube-system", "kube-public", "kube-node-lease", Chart.NAMESPACE);
    });
  }

  @Test
  void certManagerModeMountsTheSecretAndNeedsNoSecretRights() {
    Chart.Rendered r = render("admission.certDir", "/certs", "admission.certSecretName", "webhook-cert");
    assertThat(r.env()).contains(entry("GRACEFUL_ADMISSION_CERT_DIR", "/certs"));
    assertThat(r.deployment().getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(v -> assertThat(v.getSecret()).isNotNull().extracting("secretName").isEqualTo("webhook-cert"));
    assertThat(r.all(Role.class)).noneMatch(c -> c.getMetadata().getName().endsWith("-admission"));
    assertThat(r.all(Secret.class)).noneMatch(x -> x.getMetadata().getName().endsWith("-webhook-tls"));
  }

  @Test
  void theNetworkPolicyLetsTheApiServerReachTheWebhook() {
    Chart.Rendered r = render("networkPolicy.enabled", "true");
    assertThat(r.one(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class).getSpec().getIngress())
        .anySatisfy(rule -> assertThat(rule.getPorts()).singleElement()
            .satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("webhook")));
    assertThat(render("networkPolicy.enabled", "true", "admission.enabled", "false")
        .one(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class).getSpec().getIngress())
        .noneMatch(rule -> rule.getPorts() != null && rule.getPorts().stream()
            .anyMatch(p -> "webhook".equals(p.getPort().getStrVal())));
  }

  @Test
  void rbacCreateFalseRendersNoWebhookRbac() {
    Chart.Rendered r = render("rbac.create", "false");
    assertThat(r.ids()).noneMatch(id -> id.startsWith("ClusterRole") && id.contains("admission"))
        .noneMatch(id -> id.startsWith("Role") && id.contains("admission"));
  }
}
