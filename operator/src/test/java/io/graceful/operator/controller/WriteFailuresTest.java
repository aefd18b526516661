package io.graceful.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.graceful.operator.core.WorkloadKind;
import io.graceful.operator.core.WorkloadRef;
import org.junit.jupiter.api.Test;

class WriteFailuresTest {

  @Test
  void workloadsOfOneNameAndDifferentKindsAreReportedApart() {
    WriteFailures failures = new WriteFailures();
    failures.failed(WorkloadRef.deployment("shop", "web"), "web", 403, "deployments.apps \"web\" is forbidden");
    failures.failed(new WorkloadRef(WorkloadKind.StatefulSet, "shop", "web"), "web", 403,
        "statefulsets.apps \"web\" is forbidden");
    failures.failed(new WorkloadRef(WorkloadKind.DaemonSet, "shop", "web"), "other", 422, "invalid");

    assertThat(failures.of("shop", "web")).containsExactly(
        java.util.Map.entry("StatefulSet web", "403: statefulsets.apps \"web\" is forbidden"),
        java.util.Map.entry("web", "403: deployments.apps \"web\" is forbidden"));
    assertThat(failures.count()).isEqualTo(3);

    failures.cleared(new WorkloadRef(WorkloadKind.StatefulSet, "shop", "web"));
    assertThat(failures.of("shop", "web")).containsOnlyKeys("web");
  }

  @Test
  void aClusterPolicysFailuresAreItsOwnAndNameTheNamespace() {
    WriteFailures failures = new WriteFailures();
    failures.failed(WorkloadRef.deployment("shop", "web"), "cluster/platform", 403, "forbidden");
    failures.failed(new WorkloadRef(WorkloadKind.StatefulSet, "blog", "db"), "cluster/platform", 422, "invalid");
    // a namespaced policy of the same name in shop is another policy
    failures.failed(WorkloadRef.deployment("shop", "api"), "platform", 403, "forbidden");

    assertThat(failures.of(io.graceful.operator.core.PolicyRef.cluster("platform"))).containsExactly(
        java.util.Map.entry("StatefulSet blog/db", "422: invalid"),
        java.util.Map.entry("shop/web", "403: forbidden"));
    assertThat(failures.of("shop", "platform")).containsOnlyKeys("api");
  }
}
