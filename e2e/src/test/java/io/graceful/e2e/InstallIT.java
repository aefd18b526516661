package io.graceful.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Installing as the README says, on a real API server with admission and RBAC: the chart into a namespace that
 * enforces the restricted Pod Security level, the plain manifests of deploy/ (server-side dry run), and the chart's
 * RBAC against every request the operator was recorded sending in the mock tests.
 */
class InstallIT {
  private static ControlPlane cp;
  private static OperatorInstall install;

  @BeforeAll
  static void install() {
    cp = ControlPlane.get();
    install = OperatorInstall.ensure(cp);
  }

  @Test
  void theChartInstallsIntoARestrictedNamespaceAndItsPodsAreAdmitted() {
    assertThat(cp.helm("status", OperatorInstall.RELEASE, "-n", OperatorInstall.NAMESPACE).orFail())
        .contains("STATUS: deployed");
    assertThat(cp.kubectl("get", "namespace", OperatorInstall.NAMESPACE, "-o",
        "jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}").orFail()).isEqualTo("restricted");
    // the ReplicaSet creates the pods through Pod Security admission; a violation would be a FailedCreate Event
    cp.kubectl("rollout", "status", "deployment/" + install.deployment(), "-n", OperatorInstall.NAMESPACE,
        "--timeout=120s").orFail();
    String events = cp.kubectl("get", "events", "-n", OperatorInstall.NAMESPACE, "-o",
        "custom-columns=REASON:.reason,MESSAGE:.message", "--no-headers").orFail();
    assertThat(events).doesNotContain("FailedCreate");
    String ready = cp.kubectl("get", "deployment", install.deployment(), "-n", OperatorInstall.NAMESPACE, "-o",
        "jsonpath={.status.readyReplicas}/{.spec.replicas}").orFail();
    assertThat(ready).isEqualTo("2/2");
  }

  @Test
  void thePlainManifestsAreAcceptedByTheServer() {
    Cli.Result r = cp.kubectl("apply", "--dry-run=server", "-f", "deploy/");
    assertThat(r.ok()).as(r.toString()).isTrue();
    assertThat(r.stdout()).contains("namespace/graceful-system", "customresourcedefinition.apiextensions.k8s.io/",
        "deployment.apps/", "serviceaccount/", "clusterrole.rbac.authorization.k8s.io/");
    assertThat(r.stderr()).doesNotContain("Warning: would violate PodSecurity");
  }

  /**
   * The chart's aggregated ClusterRoles (rbac.aggregateToDefaultRoles) reach the built-in roles through the
   * kube-controller-manager's aggregation: a user bound to {@code edit} in a namespace manages GracefulPolicies
   * there, {@code view} reads them, neither writes their status (the operator's) nor acts elsewhere.
   */
  @Test
  void editAndViewUsersGetGracefulPolicyRightsThroughAggregation() {
    String ns = "aggregation-check";
    cp.freshNamespace(ns);
    cp.kubectl("create", "rolebinding", "alice-edit", "--clusterrole=edit", "--user=alice", "-n", ns).orFail();
    cp.kubectl("create", "rolebinding", "bob-view", "--clusterrole=view", "--user=bob", "-n", ns).orFail();
    org.awaitility.Awaitility.await("edit aggregates the chart's rules").atMost(java.time.Duration.ofSeconds(60))
        .pollInterval(java.time.Duration.ofMillis(500))
        .until(() -> can("alice", "create", "gracefulpolicies.graceful.io", ns));
    for (String verb : List.of("get", "list", "watch", "create", "update", "patch", "delete")) {
      assertThat(can("alice", verb, "gracefulpolicies.graceful.io", ns)).as("edit may %s", verb).isTrue();
    }
    assertThat(can("alice", "patch", "gracefulpolicies.graceful.io/status", ns)).isFalse();
    assertThat(can("alice", "create", "gracefulpolicies.graceful.io", "default")).isFalse();
    for (String verb : List.of("get", "list", "watch")) {
      assertThat(can("bob", verb, "gracefulpolicies.graceful.io", ns)).as("view may %s", verb).isTrue();
    }
    assertThat(can("bob", "create", "gracefulpolicies.graceful.io", ns)).isFalse();
    assertThat(can("bob", "delete", "gracefulpolicies.graceful.io", ns)).isFalse();
    cp.kubectl("delete", "namespace", ns, "--wait=false").orFail();
  }

  private boolean can(String user, String verb, String resource, String namespace) {
    List<String> args = new ArrayList<>(List.of("auth", "can-i", verb));
    int slash = resource.indexOf('/');
    if (slash > 0) {
      args.add(resource.substring(0, slash));
      args.add("--subresource=" + resource.substring(slash + 1));
    } else {
      args.add(resource);
    }
    args.addAll(List.of("-n", namespace, "--as=" + user));
    return cp.kubectl(args.toArray(String[]::new)).stdout().strip().equals("yes");
  }

  /**
   * Every (verb, resource) the operator sent in the mock integration tests (operator/target/rbac/requests.txt) is
   * allowed by the chart's RBAC on the real server, asked with {@code kubectl auth can-i --as} the chart's identity.
   */
  @Test
  void everyRequestTheOperatorMakesIsAllowedByTheChartsRbac() throws Exception {
    Path recorded = cp.root().resolve("operator/target/rbac/requests.txt");
    assertThat(recorded).as("written by the operator module's tests, which run before this module").exists();
    List<String> requests = Files.readAllLines(recorded).stream().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).distinct().sorted().toList();
    assertThat(requests).isNotEmpty();
    List<String> denied = new ArrayList<>();
    for (String request : requests) {
      // Argo Rollout rights come with rbac.argoRollouts (auto: only when the cluster serves Rollouts at install
      // time, which this shared install does not); chart-tests' RbacTest checks the render that grants them, and
      // ArgoRolloutIT grants them as that value would
      if (request.endsWith(" rollouts.argoproj.io")) {
        continue;
      }
      // drain measurement's rights (pods, EndpointSlices, list/watch of Events, Services, Ingresses) come with drain.measure=true, off in
      // this shared install; RbacTest checks that render and DrainMeasurementIT runs the operator with it
      if (DRAIN_REQUESTS.contains(request)) {
        continue;
      }
      if (!canI(request)) {
        denied.add(request);
      }
    }
    assertThat(denied).as("requests the chart's RBAC denies to %s", install.user()).isEmpty();
    // and the identity is no broader than that: a few things the operator never needs
    assertThat(canI("delete deployments.apps")).isFalse();
    assertThat(canI("get secrets")).isFalse();
    assertThat(canI("update pods")).isFalse();
  }

  /** What the operator asks only while it measures the drain (GRACEFUL_MEASURE_DRAIN). */
  private static final java.util.Set<String> DRAIN_REQUESTS = java.util.Set.of("get pods", "list pods", "watch pods",
      "get endpointslices.discovery.k8s.io", "list endpointslices.discovery.k8s.io",
      "watch endpointslices.discovery.k8s.io", "list events", "watch events", "get services", "list services",
      "watch services", "get ingresses.networking.k8s.io", "list ingresses.networking.k8s.io",
      "watch ingresses.networking.k8s.io");

  private boolean canI(String request) {
    String[] parts = request.split(" ");
    String verb = parts[0];
    String resource = parts[1];
    List<String> args = new ArrayList<>(List.of("auth", "can-i", verb));
    int slash = resource.indexOf('/');
    if (slash > 0) {
      args.add(resource.substring(0, slash));
      args.add("--subresource=" + resource.substring(slash + 1));
    } else {
      args.add(resource);
    }
    if (resource.startsWith("leases.")) {
      // leader election: only in the release namespace, get/update/patch only on the operator's own Lease
      if (!verb.equals("create")) {
        args.set(3, resource + "/" + install.lease());
      }
      args.addAll(List.of("-n", OperatorInstall.NAMESPACE));
    } else if (!resource.startsWith("selfsubject")) {
      args.add("--all-namespaces");
    }
    args.add("--as=" + install.user());
    Cli.Result r = cp.kubectl(args.toArray(String[]::new));
    return r.stdout().strip().equals("yes");
  }
}
