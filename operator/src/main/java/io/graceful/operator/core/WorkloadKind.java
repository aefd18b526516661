package io.graceful.operator.core;

/**
 * The kinds of workload whose pod template the operator can govern. Each keeps its pod template at
 * {@code spec.template}, so the hooks, the grace period, the JSON Patch paths and the undo record are the same for
 * all of them; they differ in how a template change rolls out (docs/design.md, "Workloads and policy references").
 */
public enum WorkloadKind {
  Deployment("apps", "v1", "deployments"),
  StatefulSet("apps", "v1", "statefulsets"),
  DaemonSet("apps", "v1", "daemonsets"),
  /** Argo Rollouts: governed only while its CRD is installed (the operator watches for it appearing). */
  Rollout("argoproj.io", "v1alpha1", "rollouts");

  private final String group;
  private final String version;
  private final String plural;

  WorkloadKind(String group, String version, String plural) {
    this.group = group;
    this.version = version;
    this.plural = plural;
  }

  public String group() {
    return group;
  }

  public String version() {
    return version;
  }

  /** The resource name in API paths and RBAC rules. */
  public String plural() {
    return plural;
  }

  /** {@code group/version}, as in a manifest's apiVersion. */
  public String apiVersion() {
    return group + "/" + version;
  }
}
