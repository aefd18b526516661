package io.graceful.operator.admission;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperationsBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.graceful.operator.config.AdmissionConfig;
import io.graceful.operator.core.WorkloadKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The MutatingWebhookConfiguration, written by the operator (merge patch or create, field manager graceful-operator)
 * because only it knows the caBundle of the CA it created. Built so that the webhook cannot take the cluster down:
 * failurePolicy Ignore (an unreachable or slow webhook admits the request unchanged, the controller repairs it), a
 * short timeout, sideEffects None (dry runs are mutated too), and never the system namespaces nor the operator's
 * own. Opt-out is an annotation, which selectors cannot see: opted-out workloads reach the webhook and pass
 * unchanged.
 */
final class WebhookConfiguration {
  static final String WEBHOOK = "workloads.graceful.io";
  static final String PATH = "/mutate";
  static final int TIMEOUT_SECONDS = 3;
  static final List<String> SYSTEM_NAMESPACES = List.of("kube-system", "kube-public", "kube-node-lease");

  private WebhookConfiguration() {
  }

  static MutatingWebhookConfiguration build(AdmissionConfig config, Set<String> watchNamespaces, String caBundlePem) {
    WebhookClientConfig client = config.url().isEmpty()
        ? new WebhookClientConfigBuilder().withNewService().withNamespace(config.namespace())
            .withName(config.serviceName()).withPath(PATH).withPort(443).endService().build()
        : new WebhookClientConfigBuilder().withUrl(config.url().replaceAll("/+$", "") + PATH).build();
    client.setCaBundle(Base64.getEncoder().encodeToString(caBundlePem.getBytes(StandardCharsets.UTF_8)));
    Set<String> excluded = new TreeSet<>(SYSTEM_NAMESPACES);
    excluded.add(config.namespace());
    LabelSelectorBuilder namespaces = new LabelSelectorBuilder().addNewMatchExpression()
        .withKey("kubernetes.io/metadata.name").withOperator("NotIn").withValues(new ArrayList<>(excluded))
        .endMatchExpression();
    if (!watchNamespaces.isEmpty()) {
      namespaces.addNewMatchExpression().withKey("kubernetes.io/metadata.name").withOperator("In")
          .withValues(new ArrayList<>(new TreeSet<>(watchNamespaces))).endMatchExpression();
    }
    return new MutatingWebhookConfigurationBuilder()
        .withNewMetadata().withName(config.webhookName())
        .addToLabels("app.kubernetes.io/managed-by", "graceful-operator").endMetadata()
        .addNewWebhook()
        .withName(WEBHOOK)
        .withClientConfig(client)
        .withRules(rules())
        .withFailurePolicy("Ignore")
        .withMatchPolicy("Equivalent")
        .withSideEffects("None")
        .withTimeoutSeconds(TIMEOUT_SECONDS)
        .withAdmissionReviewVersions("v1")
        // a later webhook that changes the template gets the hook checked again
        .withReinvocationPolicy("IfNeeded")
        .withNamespaceSelector(namespaces.build())
        .endWebhook()
        .build();
  }

  private static List<RuleWithOperations> rules() {
    List<RuleWithOperations> rules = new ArrayList<>();
    for (WorkloadKind kind : WorkloadKind.values()) {
      rules.add(new RuleWithOperationsBuilder().withApiGroups(kind.group()).withApiVersions(kind.version())
          .withResources(kind.plural()).withOperations("CREATE", "UPDATE").withScope("Namespaced").build());
    }
    return rules;
  }

  /**
   * Writes the configuration whole: a merge patch (which replaces the webhooks list, all of it the operator's), or a
   * create when it does not exist yet; a replica that loses the create race patches the winner's.
   */
  static void apply(KubernetesClient client, MutatingWebhookConfiguration mwc) {
    var configurations = client.admissionRegistration().v1().mutatingWebhookConfigurations();
    String patch = client.getKubernetesSerialization().asJson(mwc);
    for (int attempt = 0; ; attempt++) {
      try {
        configurations.withName(mwc.getMetadata().getName()).patch(MERGE, patch);
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404 || attempt > 0) {
          throw e;
        }
      }
      try {
        configurations.resource(mwc).create();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
  }

  private static final PatchContext MERGE = new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE)
      .withFieldManager("graceful-operator").build();
}
