package io.graceful.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * The operator's Kubernetes client: the standard kubeconfig resolution (KUBECONFIG, ~/.kube/config, in-cluster
 * service account), with the HTTP client's own request retries turned off. fabric8 re-sends any request, PATCH
 * included, after a 5xx or a lost connection; a write whose response was lost after the API server committed it
 * was then sent twice, bypassing the operator's own guards (found on a real API server by LostResponseIT). Retries
 * belong to the reconciliation loop, which plans again from the cache ({@code GRACEFUL_RETRY_MAX_DELAY_SECONDS}).
 */
public final class OperatorClient {
  private OperatorClient() {
  }

  public static KubernetesClient build() {
    Config config = new ConfigBuilder(Config.autoConfigure(null)).withRequestRetryBackoffLimit(0).build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
