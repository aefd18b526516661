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
 * The MutatingWebhookConfiguration. The chart renders it (without caBundle); the operator creates it only when it is
 * missing (an operator run outside the chart), and otherwise writes only the caBundle of the CA it created. Built
 * so that the webhook cannot take the cluster down:
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
   * Creates the configuration when it does not exist (an operator run outside the chart); when it exists (the chart
   * renders it, or another replica created it), sets only the caBundle of the operator's webhook, so the chart keeps
   * owning the rest and the operator needs no right to create webhook configurations.
   */
  /** @return whether anything was written (false: the caBundle was already this CA) */
  static boolean apply(KubernetesClient client, MutatingWebhookConfiguration mwc) {
    var configurations = client.admissionRegistration().v1().mutatingWebhookConfigurations();
    String caBundle = mwc.getWebhooks().get(0).getClientConfig().getCaBundle();
    for (int attempt = 0; attempt < 3; attempt++) {
      MutatingWebhookConfiguration existing = configurations.withName(mwc.getMetadata().getName()).get();
      if (existing == null) {
        try {
          configurations.resource(mwc).create();
          return true;
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409) {
            throw e;
          }
          continue;
        }
      }
      List<io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook> hooks = existing.getWebhooks();
      int index = -1;
      for (int i = 0; hooks != null && i < hooks.size(); i++) {
        if (WEBHOOK.equals(hooks.get(i).getName())) {
          index = i;
        }
      }
      if (index < 0) {
        throw new IllegalStateException("MutatingWebhookConfiguration " + mwc.getMetadata().getName()
            + " has no webhook named " + WEBHOOK + " to give the CA to");
      }
      if (caBundle.equals(hooks.get(index).getClientConfig().getCaBundle())) {
        return false;
      }
      // the test pins the index to the webhook's name: a concurrent reorder fails the patch (422) instead
      String path = "/webhooks/" + index;
      String patch = "[{\"op\":\"test\",\"path\":\"" + path + "/name\",\"value\":\"" + WEBHOOK + "\"},"
          + "{\"op\":\"add\",\"path\":\"" + path + "/clientConfig/caBundle\",\"value\":\"" + caBundle + "\"}]";
      try {
        configurations.withName(mwc.getMetadata().getName()).patch(JSON_PATCH, patch);
        return true;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 422 && e.getCode() != 409) {
          throw e;
        }
      }
    }
    throw new IllegalStateException("could not write the caBundle of MutatingWebhookConfiguration "
        + mwc.getMetadata().getName() + " after 3 attempts");
  }

  private static final PatchContext JSON_PATCH = new PatchContext.Builder().withPatchType(PatchType.JSON)
      .withFieldManager("graceful-operator").build();
}
