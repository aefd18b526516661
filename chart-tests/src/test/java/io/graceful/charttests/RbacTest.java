package io.graceful.charttests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Least privilege: the rendered RBAC grants exactly the allow-list of requests the operator sends, bound to the
 * operator's ServiceAccount, in the right scope.
 *
 * <p>A grant is written {@code SCOPE VERB RESOURCE[.GROUP][/SUBRESOURCE][ name=NAME]}, SCOPE being {@code cluster}
 * for a ClusterRole bound by a ClusterRoleBinding and the namespace for a Role bound by a RoleBinding, NAME one of
 * the rule's resourceNames.
 */
class RbacTest {

  /** What the operator does to the objects it governs (GracefulPolicies, the workload kinds, Events). */
  static final List<String> WORKLOAD_REQUESTS = List.of(
      "get deployments.apps", "list deployments.apps", "watch deployments.apps", "patch deployments.apps",
      "get statefulsets.apps", "list statefulsets.apps", "watch statefulsets.apps", "patch statefulsets.apps",
      "get daemonsets.apps", "list daemonsets.apps", "watch daemonsets.apps", "patch daemonsets.apps",
      "get gracefulpolicies.graceful.io", "list gracefulpolicies.graceful.io", "watch gracefulpolicies.graceful.io",
      "patch gracefulpolicies.graceful.io/status", "update gracefulpolicies.graceful.io/status",
      "get events", "create events", "patch events");

  /**
   * ClusterGracefulPolicies, served only when the operator watches every namespace: the policies, their status, and
   * the Namespaces whose labels their namespaceSelector reads.
   */
  static final List<String> CLUSTER_POLICY_REQUESTS = List.of(
      "get clustergracefulpolicies.graceful.io", "list clustergracefulpolicies.graceful.io",
      "watch clustergracefulpolicies.graceful.io", "patch clustergracefulpolicies.graceful.io/status",
      "update clustergracefulpolicies.graceful.io/status", "list namespaces", "watch namespaces");

  /** Leader election, in the release namespace only: create any Lease, read and renew only its own. */
  static List<String> leaseRequests(String leaseName) {
    return List.of("create leases.coordination.k8s.io",
        "get leases.coordination.k8s.io name=" + leaseName,
        "update leases.coordination.k8s.io name=" + leaseName,
        // fabric8's leader elector renews the Lease with a patch
        "patch leases.coordination.k8s.io name=" + leaseName);
  }

  /** Kubelet versions decide action Auto (cluster-scoped resource). */
  static final List<String> NODE_REQUESTS = List.of("get nodes", "list nodes", "watch nodes");

  /**
   * The admission webhook (admission.enabled, on by default in a cluster-wide install): read and patch the caBundle
   * of the chart's one MutatingWebhookConfiguration, read and fill the chart's one Secret, both by name. No right to
   * create either, nor any other Secret right.
   */
  static List<String> admissionGrants(String fullname) {
    return List.of(
        "cluster get mutatingwebhookconfigurations.admissionregistration.k8s.io name=" + fullname + "." + Chart.NAMESPACE,
        "cluster patch mutatingwebhookconfigurations.admissionregistration.k8s.io name=" + fullname + "."
            + Chart.NAMESPACE,
        Chart.NAMESPACE + " get secrets name=" + fullname + "-webhook-tls",
        Chart.NAMESPACE + " update secrets name=" + fullname + "-webhook-tls");
  }

  /** The leader elector's start-up check of its own Lease permissions (cluster-scoped resource). */
  static final String SELF_REVIEW = "create selfsubjectrulesreviews.authorization.k8s.io";

  @Test
  void defaultsGrantExactlyTheAllowListClusterWide() {
    Set<String> expected = new TreeSet<>();
    WORKLOAD_REQUESTS.forEach(r -> expected.add("cluster " + r));
    CLUSTER_POLICY_REQUESTS.forEach(r -> expected.add("cluster " + r));
    NODE_REQUESTS.forEach(r -> expected.add("cluster " + r));
    expected.add("cluster " + SELF_REVIEW);
    leaseRequests(Chart.FULLNAME).forEach(r -> expected.add(Chart.NAMESPACE + " " + r));
    expected.addAll(admissionGrants(Chart.FULLNAME));

    assertThat(grants(Chart.render())).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void watchNamespacesGrantPerNamespaceRolesAndNoClusterWideWorkloadAccess() {
    Chart.Rendered r = Chart.render("namespaced.yaml");
    Set<String> expected = new TreeSet<>();
    for (String ns : List.of("team-a", "team-b")) {
      WORKLOAD_REQUESTS.forEach(req -> expected.add(ns + " " + req));
    }
    expected.add("cluster " + SELF_REVIEW);
    leaseRequests(Chart.FULLNAME).forEach(req -> expected.add(Chart.NAMESPACE + " " + req));

    assertThat(grants(r)).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(r.all(Role.class)).extracting(role -> role.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("team-a", "team-b", Chart.NAMESPACE);
    assertThat(r.all(RoleBinding.class)).extracting(b -> b.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("team-a", "team-b", Chart.NAMESPACE);
  }

  @Test
  void nodesAreReadOnlyWhenAskedForInANamespacedInstallAndNeverWhenTurnedOff() {
    Chart.Rendered asked = Chart.Rendered.parse(Chart.template()
        .withValuesFile(Chart.valuesFile("namespaced.yaml"))
        .withValuesFile(Chart.valuesFile("ha-off.yaml"))
        .set("rbac.readNodes", true)
        .call());
    Set<String> expected = new TreeSet<>();
    for (String ns : List.of("team-a", "team-b")) {
      WORKLOAD_REQUESTS.forEach(req -> expected.add(ns + " " + req));
    }
    NODE_REQUESTS.forEach(r -> expected.add("cluster " + r));
    assertThat(grants(asked)).containsExactlyInAnyOrderElementsOf(expected);

    Chart.Rendered off = Chart.Rendered.parse(Chart.template().set("rbac.readNodes", false).call());
    assertThat(grants(off)).noneMatch(g -> g.contains("nodes")).contains("cluster list deployments.apps");
  }

  /** rbac.argoRollouts: what the operator needs of Argo Rollouts, only when asked for (or served, with auto). */
  static final List<String> ROLLOUT_REQUESTS = List.of("get rollouts.argoproj.io", "list rollouts.argoproj.io",
      "watch rollouts.argoproj.io", "patch rollouts.argoproj.io");

  @Test
  void argoRolloutsAreGrantedWhereTheWorkloadsAreOnlyWhenAskedFor() {
    // auto without a cluster (helm template): the API server's capabilities list no Rollout, so nothing
    assertThat(grants(Chart.render())).noneMatch(g -> g.contains("argoproj.io"));
    assertThat(grants(Chart.Rendered.parse(Chart.template().set("rbac.argoRollouts", false).call())))
        .noneMatch(g -> g.contains("argoproj.io"));
    Set<String> clusterWide = grants(Chart.Rendered.parse(Chart.template().set("rbac.argoRollouts", true).call()));
    ROLLOUT_REQUESTS.forEach(r -> assertThat(clusterWide).contains("cluster " + r));
    Set<String> namespaced = grants(Chart.Rendered.parse(Chart.template()
        .withValuesFile(Chart.valuesFile("namespaced.yaml")).set("rbac.argoRollouts", true).call()));
    for (String ns : List.of("team-a", "team-b")) {
      ROLLOUT_REQUESTS.forEach(r -> assertThat(namespaced).contains(ns + " " + r));
    }
    assertThat(namespaced).as("no cluster-wide right on Rollouts in a namespaced install")
        .noneMatch(g -> g.startsWith("cluster ") && g.contains("argoproj.io"));
  }

  /**
   * drain.measure: read-only pods and EndpointSlices where the workloads are, the list/watch of Events behind the
   * FailedPreStopHook count, and read-only Services and Ingresses (load-balancer floors), only when the drain is
   * measured.
   */
  static final List<String> DRAIN_REQUESTS = List.of("get pods", "list pods", "watch pods",
      "get endpointslices.discovery.k8s.io", "list endpointslices.discovery.k8s.io",
      "watch endpointslices.discovery.k8s.io", "list events", "watch events", "get services", "list services",
      "watch services", "get ingresses.networking.k8s.io", "list ingresses.networking.k8s.io",
      "watch ingresses.networking.k8s.io");

  @Test
  void drainMeasurementReadsPodsAndEndpointSlicesOnlyWhenOn() {
    assertThat(grants(Chart.render())).noneMatch(g -> g.contains("pods") || g.contains("endpointslices")
        || g.endsWith("list events") || g.endsWith("watch events") || g.contains("services")
        || g.contains("ingresses"));
    Set<String> clusterWide = grants(Chart.Rendered.parse(Chart.template().set("drain.measure", true).call()));
    DRAIN_REQUESTS.forEach(r -> assertThat(clusterWide).contains("cluster " + r));
    Set<String> namespaced = grants(Chart.Rendered.parse(Chart.template()
        .withValuesFile(Chart.valuesFile("namespaced.yaml")).set("drain.measure", true).call()));
    for (String ns : List.of("team-a", "team-b")) {
      DRAIN_REQUESTS.forEach(r -> assertThat(namespaced).contains(ns + " " + r));
    }
    assertThat(namespaced).as("no cluster-wide right on pods in a namespaced install")
        .noneMatch(g -> g.startsWith("cluster ") && (g.contains("pods") || g.contains("endpointslices")
            || g.contains("services") || g.contains("ingresses")));
    assertThat(clusterWide).noneMatch(g -> g.matches(
        ".* (create|update|patch|delete) (pods|endpointslices|services|ingresses).*"));
  }

  @Test
  void withoutLeaderElectionThereIsNoLeaseAccessAndNoSelfReview() {
    Set<String> expected = new TreeSet<>();
    WORKLOAD_REQUESTS.forEach(r -> expected.add("cluster " + r));
    CLUSTER_POLICY_REQUESTS.forEach(r -> expected.add("cluster " + r));
    NODE_REQUESTS.forEach(r -> expected.add("cluster " + r));
    expected.addAll(admissionGrants(Chart.FULLNAME));
    assertThat(grants(Chart.render("ha-off.yaml"))).containsExactlyInAnyOrderElementsOf(expected);
  }

  /** For installers with namespace rights only: the CRD (installed beforehand) is then the one cluster object. */
  @Test
  void namespacedWithoutLeaderElectionAndAggregationHasNoClusterScopedObjectAtAll() {
    Chart.Rendered r = Chart.Rendered.parse(Chart.template()
        .withValuesFile(Chart.valuesFile("namespaced.yaml"))
        .withValuesFile(Chart.valuesFile("ha-off.yaml"))
        .set("rbac.aggregateToDefaultRoles", false)
        .call());
    assertThat(r.all(ClusterRole.class)).isEmpty();
    assertThat(r.all(ClusterRoleBinding.class)).isEmpty();
    assertThat(grants(r)).allMatch(g -> g.startsWith("team-a ") || g.startsWith("team-b "));
  }

  static final String AGGREGATE = "rbac.authorization.k8s.io/aggregate-to-";

  static boolean aggregated(ClusterRole c) {
    return c.getMetadata().getLabels().keySet().stream().anyMatch(k -> k.startsWith(AGGREGATE));
  }

  /** The rules that the aggregated ClusterRoles add to admin/edit/view, as "LABELS: VERB RESOURCE.GROUP". */
  static Set<String> aggregatedRights(Chart.Rendered r) {
    Set<String> out = new TreeSet<>();
    for (ClusterRole c : r.all(ClusterRole.class)) {
      if (aggregated(c)) {
        String into = String.join(",", c.getMetadata().getLabels().entrySet().stream()
            .filter(e -> e.getKey().startsWith(AGGREGATE) && e.getValue().equals("true"))
            .map(e -> e.getKey().substring(AGGREGATE.length())).sorted().toList());
        Set<String> rights = new TreeSet<>();
        expand("x", c.getRules(), rights);
        rights.forEach(g -> out.add(into + ": " + g.substring(2)));
      }
    }
    return out;
  }

  @Test
  void aggregatedRolesLetAdminAndEditManageAndViewReadPolicies() {
    Set<String> namespaced = aggregatedPolicyRights("gracefulpolicies.graceful.io");
    Set<String> expected = new TreeSet<>(namespaced);
    // cluster policies only where they are served (watching every namespace)
    expected.addAll(aggregatedPolicyRights("clustergracefulpolicies.graceful.io"));
    assertThat(aggregatedRights(Chart.render())).containsExactlyInAnyOrderElementsOf(expected);
    // a namespaced install keeps them: the teams of the watched namespaces write the policies
    assertThat(aggregatedRights(Chart.render("namespaced.yaml"))).containsExactlyInAnyOrderElementsOf(namespaced);
    // bound to nobody: rights come from the bindings people already have to admin/edit/view
    Chart.Rendered r = Chart.render();
    r.all(ClusterRole.class).stream().filter(RbacTest::aggregated).forEach(c -> {
      assertThat(r.all(ClusterRoleBinding.class)).noneMatch(b -> b.getRoleRef().getName().equals(c.getMetadata()
          .getName()));
      assertThat(r.all(RoleBinding.class)).noneMatch(b -> b.getRoleRef().getName().equals(c.getMetadata()
          .getName()));
    });
    assertThat(aggregatedRights(Chart.Rendered.parse(Chart.template().set("rbac.aggregateToDefaultRoles", false)
        .call()))).isEmpty();
    assertThat(aggregatedRights(Chart.Rendered.parse(Chart.template().set("rbac.create", false).call()))).isEmpty();
  }

  /** What a rule with resourceNames may grant: resource, verbs, and the names it may carry for a chart fullname. */
  private record NamedRule(String resource, Set<String> verbs, String name) {}

  private static List<NamedRule> namedRules(String fullname) {
    return List.of(new NamedRule("leases", Set.of("get", "update", "patch"), null),
        new NamedRule("secrets", Set.of("get", "update"), fullname + "-webhook-tls"),
        new NamedRule("mutatingwebhookconfigurations", Set.of("get", "patch"), fullname + "." + Chart.NAMESPACE));
  }

  /** What admin and edit may do to a policy kind, and view may read. */
  private static Set<String> aggregatedPolicyRights(String resource) {
    Set<String> expected = new TreeSet<>();
    for (String verb : List.of("create", "update", "patch", "delete", "deletecollection", "get", "list", "watch")) {
      expected.add("admin,edit: " + verb + " " + resource);
    }
    for (String verb : List.of("get", "list", "watch")) {
      expected.add("admin,edit: " + verb + " " + resource + "/status");
      expected.add("view: " + verb + " " + resource);
      expected.add("view: " + verb + " " + resource + "/status");
    }
    return expected;
  }

  @Test
  void noWildcardsNoSecretsBeyondTheWebhooksOwnNoNonResourceUrls() {
    for (String values : List.of("defaults", "namespaced.yaml", "custom.yaml")) {
      Chart.Rendered r = values.equals("defaults") ? Chart.render() : Chart.render(values);
      assertNoBroaderRights(values, r, Chart.FULLNAME);
    }
  }

  /** The checks of {@link #noWildcardsNoSecretsBeyondTheWebhooksOwnNoNonResourceUrls}, for one render. */
  static void assertNoBroaderRights(String values, Chart.Rendered r, String fullname) {
    for (PolicyRule rule : allRules(r)) {
      assertThat(rule.getApiGroups()).as("%s: apiGroups of %s", values, rule).doesNotContain("*");
      assertThat(rule.getResources()).as("%s: resources of %s", values, rule)
          .doesNotContain("*", "pods", "configmaps", "customresourcedefinitions");
      assertThat(rule.getVerbs()).as("%s: verbs of %s", values, rule)
          .doesNotContain("*", "delete", "deletecollection", "escalate", "bind", "impersonate");
      boolean named = rule.getResourceNames() != null && !rule.getResourceNames().isEmpty();
      if (rule.getResources().contains("secrets") || rule.getResources().contains("mutatingwebhookconfigurations")) {
        assertThat(named).as("%s: %s only by name", values, rule).isTrue();
      }
      if (named) {
        assertThat(rule.getResources()).as("%s: one resource per named rule", values).hasSize(1);
        NamedRule allowed = namedRules(fullname).stream()
            .filter(n -> n.resource().equals(rule.getResources().get(0))).findFirst().orElse(null);
        assertThat(allowed).as("%s: resourceNames only on the Lease, webhook Secret and configuration rules: %s",
            values, rule).isNotNull();
        assertThat(rule.getVerbs()).as("%s: verbs of %s", values, rule)
            .containsExactlyInAnyOrderElementsOf(allowed.verbs());
        if (allowed.name() != null) {
          assertThat(rule.getResourceNames()).as("%s: names of %s", values, rule).containsExactly(allowed.name());
        }
      }
      assertThat(rule.getNonResourceURLs()).as("%s: nonResourceURLs", values).isNullOrEmpty();
    }
  }

  /** The check above must catch a Secret right beyond the webhook's own (a test that cannot fail is no test). */
  @Test
  void anyOtherSecretRightIsCaught() {
    String broader = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: broader, labels: {test: injected}}
        rules:
          - apiGroups: [""]
            resources: ["secrets"]
            resourceNames: ["%1$s-webhook-tls"]
            verbs: ["get", "update", "list"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: other-secret, labels: {test: injected}}
        rules:
          - apiGroups: [""]
            resources: ["secrets"]
            resourceNames: ["another-secret"]
            verbs: ["get", "update"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: any-secret, labels: {test: injected}}
        rules:
          - apiGroups: [""]
            resources: ["secrets"]
            verbs: ["get"]
        """.formatted(Chart.FULLNAME);
    for (String doc : broader.split("---\n")) {
      Chart.Rendered one = Chart.Rendered.parse(doc);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> assertNoBroaderRights("injected", one, Chart.FULLNAME))
          .as(doc).isInstanceOf(AssertionError.class);
    }
  }

  @Test
  void bindingsBindTheOperatorServiceAccountToTheChartsOwnRoles() {
    Chart.Rendered r = Chart.render("custom.yaml");
    Subject sa = new Subject(null, "ServiceAccount", "graceful-sa", Chart.NAMESPACE);
    for (ClusterRoleBinding b : r.all(ClusterRoleBinding.class)) {
      assertThat(b.getSubjects()).containsExactly(sa);
      assertRoleExists(r, b.getRoleRef(), null);
    }
    for (RoleBinding b : r.all(RoleBinding.class)) {
      assertThat(b.getSubjects()).containsExactly(sa);
      assertRoleExists(r, b.getRoleRef(), b.getMetadata().getNamespace());
    }
  }

  @Test
  void leaseAccessFollowsTheLeaseName() {
    Set<String> leaseGrants = new TreeSet<>();
    grants(Chart.render("custom.yaml")).stream().filter(g -> g.contains("leases")).forEach(leaseGrants::add);
    Set<String> expected = new TreeSet<>();
    leaseRequests("graceful-leader").forEach(r -> expected.add(Chart.NAMESPACE + " " + r));
    assertThat(leaseGrants).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(Chart.render("custom.yaml").env()).containsEntry("GRACEFUL_LEASE_NAME", "graceful-leader");
  }

  @Test
  void rbacCreateFalseRendersNoRbac() {
    Chart.Rendered r = Chart.Rendered.parse(Chart.template().set("rbac.create", false).call());
    assertThat(r.all(ClusterRole.class)).isEmpty();
    assertThat(r.all(Role.class)).isEmpty();
    assertThat(r.all(ClusterRoleBinding.class)).isEmpty();
    assertThat(r.all(RoleBinding.class)).isEmpty();
  }

  /**
   * Every request the operator was seen sending in its integration tests must be granted by the default render,
   * with rbac.argoRollouts=true and drain.measure=true (the opt-in rights those tests use: without them Rollouts
   * are not governed and the drain is not measured).
   * The operator's tests may record them in operator/target/rbac/requests.txt, one {@code VERB RESOURCE[.GROUP][/SUB]}
   * per line (as in {@link #WORKLOAD_REQUESTS}); without that file there is nothing to compare.
   */
  @Test
  void requestsRecordedByTheOperatorTestsAreGranted() throws Exception {
    Path recorded = Chart.root().resolve("operator/target/rbac/requests.txt");
    Assumptions.assumeTrue(Files.exists(recorded), "no recording at " + recorded);
    Set<String> granted = new TreeSet<>();
    grants(Chart.Rendered.parse(Chart.template().set("rbac.argoRollouts", true).set("drain.measure", true).call()))
        .forEach(g -> granted.add(g.substring(g.indexOf(' ') + 1).replaceAll(" name=.*", "")));
    List<String> requests = Files.readAllLines(recorded).stream().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).distinct().toList();
    assertThat(granted).as("grants of the default render vs %s", recorded).containsAll(requests);
  }

  private static void assertRoleExists(Chart.Rendered r, RoleRef ref, String namespace) {
    if (ref.getKind().equals("ClusterRole")) {
      assertThat(r.all(ClusterRole.class)).extracting(c -> c.getMetadata().getName()).contains(ref.getName());
    } else {
      assertThat(r.all(Role.class)).filteredOn(role -> role.getMetadata().getNamespace().equals(namespace))
          .extracting(role -> role.getMetadata().getName()).contains(ref.getName());
    }
  }

  static List<PolicyRule> allRules(Chart.Rendered r) {
    List<PolicyRule> rules = new java.util.ArrayList<>();
    // the operator's roles; the aggregated ones are for people (aggregatedRolesLetAdmin...)
    r.all(ClusterRole.class).stream().filter(c -> !aggregated(c)).forEach(c -> rules.addAll(c.getRules()));
    r.all(Role.class).forEach(c -> rules.addAll(c.getRules()));
    return rules;
  }

  /** Effective grants: each rule of each role that a binding binds, expanded to SCOPE VERB RESOURCE.GROUP. */
  static Set<String> grants(Chart.Rendered r) {
    Set<String> out = new TreeSet<>();
    for (ClusterRoleBinding b : r.all(ClusterRoleBinding.class)) {
      assertThat(b.getRoleRef().getKind()).isEqualTo("ClusterRole");
      r.all(ClusterRole.class).stream().filter(c -> c.getMetadata().getName().equals(b.getRoleRef().getName()))
          .forEach(c -> expand("cluster", c.getRules(), out));
    }
    for (RoleBinding b : r.all(RoleBinding.class)) {
      String ns = b.getMetadata().getNamespace();
      assertThat(b.getRoleRef().getKind()).as("RoleBinding %s/%s must reference a Role", ns,
          b.getMetadata().getName()).isEqualTo("Role");
      r.all(Role.class).stream()
          .filter(role -> ns.equals(role.getMetadata().getNamespace())
              && role.getMetadata().getName().equals(b.getRoleRef().getName()))
          .forEach(role -> expand(ns, role.getRules(), out));
    }
    // every role must be bound: an unbound role is clutter a reviewer would ask about (aggregated roles are
    // bound through admin/edit/view)
    r.all(ClusterRole.class).stream().filter(c -> !aggregated(c)).forEach(c -> assertThat(r.all(ClusterRoleBinding.class))
        .extracting(b -> b.getRoleRef().getName()).as("binding of ClusterRole %s", c.getMetadata().getName())
        .contains(c.getMetadata().getName()));
    r.all(Role.class).forEach(role -> assertThat(r.all(RoleBinding.class))
        .filteredOn(b -> b.getMetadata().getNamespace().equals(role.getMetadata().getNamespace()))
        .extracting(b -> b.getRoleRef().getName()).as("binding of Role %s", Chart.id(role))
        .contains(role.getMetadata().getName()));
    return out;
  }

  private static void expand(String scope, List<PolicyRule> rules, Set<String> out) {
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            String base = resource;
            String sub = "";
            int slash = resource.indexOf('/');
            if (slash >= 0) {
              base = resource.substring(0, slash);
              sub = resource.substring(slash);
            }
            String grant = scope + " " + verb + " " + base + (group.isEmpty() ? "" : "." + group) + sub;
            if (rule.getResourceNames() == null || rule.getResourceNames().isEmpty()) {
              out.add(grant);
            } else {
              rule.getResourceNames().forEach(name -> out.add(grant + " name=" + name));
            }
          }
        }
      }
    }
  }
}
