package io.graceful.operator.runtime;

import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.graceful.operator.api.v1alpha1.ClusterGracefulPolicy;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import java.io.File;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What start-up needs, checked before any controller starts, each failure with a message that says what to do:
 * the API server answers (the message names its URL and where it came from), the GracefulPolicy CRD is served
 * (API discovery, which every authenticated identity may read: no extra RBAC), and the operator's identity may
 * list what it watches (a denial names the verb, the resource, the scope and the identity).
 */
public final class Preflight {
  private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);
  public static final String CRD_NAME = HasMetadata.getFullResourceName(GracefulPolicy.class);
  public static final String CRD_HINT = "kubectl apply -f crd/";
  private static final Pattern USER = Pattern.compile("User \"([^\"]*)\"");
  private static final ListOptions ONE = new ListOptionsBuilder().withLimit(1L).build();

  private Preflight() {
  }

  /** One resource the operator watches: how to list one item of it in a scope ({@code null}: every namespace). */
  private record Watched(String resource, Function<String, Object> listOne) {}

  /** The ClusterGracefulPolicy CRD's name. */
  public static final String CLUSTER_CRD_NAME = HasMetadata.getFullResourceName(ClusterGracefulPolicy.class);

  /**
   * Whether cluster policies can be served: only when the operator watches every namespace, and only while the
   * ClusterGracefulPolicy CRD is installed (an upgrade that kept the old CRDs starts without them, and says so).
   * When served, the operator's identity must list Namespaces and ClusterGracefulPolicies.
   *
   * @throws StartFailedException when served but a list is refused
   */
  public static boolean clusterPoliciesServed(KubernetesClient client, Set<String> namespaces) {
    if (!namespaces.isEmpty()) {
      LOG.info("ClusterGracefulPolicies are not served: the operator watches {} only (a namespaced install cannot "
          + "serve cluster policies)", namespaces);
      return false;
    }
    String url = apiServer(client);
    if (!served(client, url, ClusterGracefulPolicy.class)) {
      LOG.warn("ClusterGracefulPolicies are not served: the CustomResourceDefinition {} is not installed; install "
          + "it with `{}` and restart the operator", CLUSTER_CRD_NAME, CRD_HINT);
      return false;
    }
    mayList(client, url, new Watched("namespaces", ns -> client.namespaces().list(ONE)), null);
    mayList(client, url, new Watched(CLUSTER_CRD_NAME, ns -> client.resources(ClusterGracefulPolicy.class)
        .list(ONE)), null);
    LOG.info("ClusterGracefulPolicies are served ({} installed, Namespaces and cluster policies listable)",
        CLUSTER_CRD_NAME);
    return true;
  }

  /** @throws StartFailedException naming what is wrong */
  public static void check(KubernetesClient client, Set<String> namespaces) {
    String url = apiServer(client);
    LOG.info("checking the API server at {} ({})", url, source(client.getConfiguration()));
    reachable(client, url);
    crdInstalled(client, url);
    List<Watched> watched = List.of(
        new Watched("deployments.apps", ns -> ns == null
            ? client.apps().deployments().inAnyNamespace().list(ONE)
            : client.apps().deployments().inNamespace(ns).list(ONE)),
        new Watched("statefulsets.apps", ns -> ns == null
            ? client.apps().statefulSets().inAnyNamespace().list(ONE)
            : client.apps().statefulSets().inNamespace(ns).list(ONE)),
        new Watched("daemonsets.apps", ns -> ns == null
            ? client.apps().daemonSets().inAnyNamespace().list(ONE)
            : client.apps().daemonSets().inNamespace(ns).list(ONE)),
        new Watched(CRD_NAME, ns -> ns == null
            ? client.resources(GracefulPolicy.class).inAnyNamespace().list(ONE)
            : client.resources(GracefulPolicy.class).inNamespace(ns).list(ONE)));
    for (Watched w : watched) {
      for (String ns : namespaces.isEmpty() ? java.util.Collections.<String>singleton(null) : namespaces) {
        mayList(client, url, w, ns);
      }
    }
    LOG.info("API server {} reachable, CRD {} installed, list permitted", url, CRD_NAME);
  }

  private static void reachable(KubernetesClient client, String url) {
    try {
      client.getKubernetesVersion();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_UNAUTHORIZED) {
        throw new StartFailedException("the API server at " + url + " rejected the operator's credentials (401 "
            + "Unauthorized; credentials from " + source(client.getConfiguration()) + "): " + serverMessage(e), e);
      }
      if (e.getCode() > 0) {
        // it answered: reachable (a server may refuse /version to some identities); the next checks tell more
        LOG.debug("GET /version answered {}: {}", e.getCode(), serverMessage(e));
        return;
      }
      throw new StartFailedException("cannot reach the API server at " + url + " (from "
          + source(client.getConfiguration()) + "): " + rootCause(e) + ". Check the server address and that the "
          + "API server is up and reachable from here", e);
    }
  }

  private static void crdInstalled(KubernetesClient client, String url) {
    if (!served(client, url, GracefulPolicy.class)) {
      throw missingCrd(url);
    }
  }

  /** API discovery lists the custom resource's plural in its group version. */
  private static boolean served(KubernetesClient client, String url, Class<? extends HasMetadata> type) {
    String groupVersion = HasMetadata.getApiVersion(type);
    String plural = HasMetadata.getPlural(type);
    APIResourceList resources;
    try {
      resources = client.getApiResources(groupVersion);
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw failed(client, url, "read the API discovery document /apis/" + groupVersion, e);
      }
      resources = null;
    }
    return resources != null && resources.getResources() != null
        && resources.getResources().stream().anyMatch(r -> plural.equals(r.getName()));
  }

  private static StartFailedException missingCrd(String url) {
    return new StartFailedException("the CustomResourceDefinition " + CRD_NAME + " (" + HasMetadata.getApiVersion(
        GracefulPolicy.class) + ") is not installed on the API server at " + url + ": install it with `" + CRD_HINT
        + "` (from a checkout of this repository; the Helm chart installs it too), then start the operator again");
  }

  private static void mayList(KubernetesClient client, String url, Watched w, String namespace) {
    try {
      w.listOne().apply(namespace);
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND && w.resource().equals(CRD_NAME)) {
        throw missingCrd(url);
      }
      throw failed(client, url, "list " + w.resource() + (namespace == null ? " in all namespaces"
          : " in namespace " + namespace), e);
    }
  }

  /** A request refused: 403 names the verb, resource and identity, anything else what was tried and where. */
  public static StartFailedException failed(KubernetesClient client, String url, String what, KubernetesClientException e) {
    if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
      return new StartFailedException("permission denied: " + identity(client.getConfiguration(), e) + " may not "
          + what + " on the API server at " + url + " (" + serverMessage(e) + "). The operator needs get, list and "
          + "watch on deployments.apps, statefulsets.apps, daemonsets.apps and " + CRD_NAME + ", patch on "
          + "deployments.apps, statefulsets.apps and daemonsets.apps, patch and update on "
          + CRD_NAME + "/status, create, patch and list on events (watching all namespaces with cluster policies "
          + "installed also list and watch on namespaces and " + CLUSTER_CRD_NAME + ", patch and update on "
          + CLUSTER_CRD_NAME + "/status): install the RBAC of the Helm chart "
          + "(helm/graceful-operator) or of deploy/, or bind an equivalent role to this identity", e);
    }
    if (e.getCode() == HttpURLConnection.HTTP_UNAUTHORIZED) {
      return new StartFailedException("the API server at " + url + " rejected the operator's credentials (401 "
          + "Unauthorized; credentials from " + source(client.getConfiguration()) + ") when trying to " + what, e);
    }
    if (e.getCode() <= 0) {
      return new StartFailedException("lost the API server at " + url + " while trying to " + what + ": "
          + rootCause(e), e);
    }
    return new StartFailedException("could not " + what + " on the API server at " + url + " (HTTP " + e.getCode()
        + "): " + serverMessage(e), e);
  }

  /** The identity as the server named it in its denial, else where the client's credentials came from. */
  static String identity(Config config, KubernetesClientException e) {
    Matcher m = USER.matcher(serverMessage(e));
    if (m.find()) {
      return "user \"" + m.group(1) + "\"";
    }
    return "the identity of " + source(config);
  }

  public static String apiServer(KubernetesClient client) {
    return String.valueOf(client.getConfiguration().getMasterUrl());
  }

  /** Where the connection settings came from, for messages. */
  static String source(Config config) {
    File file = config.getFileWithCluster();
    if (file == null) {
      file = config.getFile();
    }
    if (file != null) {
      return "kubeconfig " + file;
    }
    if (System.getenv("KUBERNETES_SERVICE_HOST") != null) {
      return "the in-cluster service account";
    }
    return "no kubeconfig found (KUBECONFIG unset, no ~/.kube/config) and not running in a pod";
  }

  static String serverMessage(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getStatus().getMessage();
    }
    return String.valueOf(e.getMessage());
  }

  public static String rootCause(Throwable e) {
    // the client's own wrapper says "An error has occurred."; what happened is in the causes
    List<String> parts = new java.util.ArrayList<>();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() <= 0 && t.getCause() != null) {
        continue;
      }
      parts.add(t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
      if (parts.size() == 3) {
        break;
      }
    }
    return String.join(", caused by ", parts);
  }
}
