package io.graceful.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * The operator installed as the README says: the CRD from crd/, the chart into {@value #NAMESPACE} (labelled for the
 * restricted Pod Security level). The chart's Deployment gets fake pods (nothing here runs images); the operator
 * itself runs as a jar with the chart's ServiceAccount token, so the chart's RBAC is what the API server enforces.
 * Done once per test run; every test class that needs the operator calls {@link #ensure}.
 */
final class OperatorInstall {
  static final String NAMESPACE = "graceful-system";
  /** The release name of the README's {@code helm install graceful ./helm/graceful-operator -n graceful-system}. */
  static final String RELEASE = "graceful";
  /**
   * The values the shared install departs from the chart's defaults with: admission off. The operator runs on this
   * host, not in the chart's (fake) pods, so the chart's webhook would point the API server at a Service nobody
   * serves, and every workload write would wait for a webhook that never answers (failurePolicy Ignore admits it,
   * after the timeout). AdmissionIT adds the chart's webhook objects itself, pointed at the host process.
   */
  static final List<String> VALUES = List.of("--set", "admission.enabled=false");

  /** A helm command on the shared release with its {@link #VALUES} appended. */
  static String[] withValues(String... helmArgs) {
    List<String> all = new java.util.ArrayList<>(List.of(helmArgs));
    all.addAll(VALUES);
    return all.toArray(String[]::new);
  }
  private static OperatorInstall instance;

  private final ControlPlane cp;
  private final Path kubeconfig;
  private final String deployment;
  private final String serviceAccount;
  private final String lease;

  private OperatorInstall(ControlPlane cp, Path kubeconfig) {
    this.cp = cp;
    this.kubeconfig = kubeconfig;
    // names as the chart made them, read back like a user would
    String selector = "app.kubernetes.io/instance=" + RELEASE;
    this.deployment = cp.kubectl("get", "deployment", "-n", NAMESPACE, "-l", selector, "-o",
        "jsonpath={.items[0].metadata.name}").orFail();
    this.serviceAccount = cp.kubectl("get", "deployment", "-n", NAMESPACE, deployment, "-o",
        "jsonpath={.spec.template.spec.serviceAccountName}").orFail();
    this.lease = cp.kubectl("get", "deployment", "-n", NAMESPACE, deployment, "-o",
        "jsonpath={.spec.template.spec.containers[0].env[?(@.name==\"GRACEFUL_LEASE_NAME\")].value}").orFail();
  }

  String deployment() {
    return deployment;
  }

  String serviceAccount() {
    return serviceAccount;
  }

  String lease() {
    return lease;
  }

  static synchronized OperatorInstall ensure(ControlPlane cp) {
    if (instance == null) {
      cp.kubectl("apply", "--server-side", "-f", "crd/").orFail();
      cp.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/gracefulpolicies.graceful.io").orFail();
      // served before the operator starts: it decides once, at start-up, whether it serves cluster policies
      cp.kubectl("wait", "--for=condition=Established", "--timeout=60s",
          "crd/clustergracefulpolicies.graceful.io").orFail();
      if (!cp.kubectl("get", "namespace", NAMESPACE).ok()) {
        cp.kubectl("create", "namespace", NAMESPACE).orFail();
      }
      cp.kubectl("label", "--overwrite", "namespace", NAMESPACE, "pod-security.kubernetes.io/enforce=restricted",
          "pod-security.kubernetes.io/enforce-version=latest").orFail();
      cp.helm(withValues("upgrade", "--install", RELEASE, "helm/graceful-operator", "-n", NAMESPACE, "--skip-crds",
          "--timeout", "120s")).orFail();
      instance = new OperatorInstall(cp, cp.state().resolve("operator.kubeconfig"));
      instance.writeKubeconfig();
    }
    return instance;
  }

  /** A kubeconfig for the chart's ServiceAccount: what the operator's pod would present to the API server. */
  Path kubeconfig() {
    return kubeconfig;
  }

  String user() {
    return ServiceAccountKubeconfig.user(NAMESPACE, serviceAccount);
  }

  private void writeKubeconfig() {
    ServiceAccountKubeconfig.write(cp, NAMESPACE, serviceAccount, kubeconfig);
  }
}
