package io.graceful.charttests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * admission.enabled: the webhook's Service and port, its settings, and RBAC for exactly its own
 * MutatingWebhookConfiguration and (without cert-manager) its own Secret.
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
  void offByDefaultNothingRendered() {
    Chart.Rendered r = Chart.render();
    assertThat(r.ids()).noneMatch(id -> id.contains("webhook") || id.contains("admission"));
    assertThat(r.env()).contains(entry("GRACEFUL_ADMISSION_ENABLED", "false"));
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
    assertThat(rules(cr.getRules())).containsExactlyInAnyOrder("create mutatingwebhookconfigurations",
        "get mutatingwebhookconfigurations " + WEBHOOK, "patch mutatingwebhookconfigurations " + WEBHOOK);
    Role role = r.all(Role.class).stream().filter(c -> c.getMetadata().getName().endsWith("-admission"))
        .findFirst().orElseThrow();
    assertThat(rules(role.getRules())).containsExactlyInAnyOrder("create secrets",
        "get secrets " + Chart.FULLNAME + "-webhook-tls", "update secrets " + Chart.FULLNAME + "-webhook-tls");
  }

  @Test
  void certManagerModeMountsTheSecretAndNeedsNoSecretRights() {
    Chart.Rendered r = render("admission.certDir", "/certs", "admission.certSecretName", "webhook-cert");
    assertThat(r.env()).contains(entry("GRACEFUL_ADMISSION_CERT_DIR", "/certs"));
    assertThat(r.deployment().getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(v -> assertThat(v.getSecret()).isNotNull().extracting("secretName").isEqualTo("webhook-cert"));
    assertThat(r.all(Role.class)).noneMatch(c -> c.getMetadata().getName().endsWith("-admission"));
  }

  @Test
  void rbacCreateFalseRendersNoWebhookRbac() {
    Chart.Rendered r = render("rbac.create", "false");
    assertThat(r.ids()).noneMatch(id -> id.startsWith("ClusterRole") && id.contains("admission"))
        .noneMatch(id -> id.startsWith("Role") && id.contains("admission"));
  }
}
