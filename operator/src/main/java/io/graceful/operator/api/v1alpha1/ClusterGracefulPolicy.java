package io.graceful.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.SchemaSwap;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import io.graceful.operator.api.v1alpha1.schema.NamespaceSelectorSchema;
import io.graceful.operator.api.v1alpha1.schema.ResolvedHookActionSchema;
import io.graceful.operator.api.v1alpha1.schema.SelectorSchema;

/**
 * A ClusterGracefulPolicy (cluster-scoped) is a platform-wide default: a GracefulPolicy's spec applied to the
 * workloads of the namespaces its {@code namespaceSelector} selects. A namespaced GracefulPolicy always overrides it
 * (docs/rules.md R7). The status has the same fields as a GracefulPolicy's, counted cluster-wide; its list entries
 * name the namespace.
 */
@Group(GracefulPolicy.GROUP)
@Version(GracefulPolicy.VERSION)
@Plural("clustergracefulpolicies")
@Singular("clustergracefulpolicy")
@ShortNames({"cgp"})
@Categories("graceful")
@JsonClassDescription("ClusterGracefulPolicy is a cluster-wide GracefulPolicy: it selects workloads (the kinds in "
    + "spec.workloads) of the namespaces spec.namespaceSelector selects and keeps their pod templates carrying a "
    + "preStop sleep hook and a terminationGracePeriodSeconds long enough for the sleep plus the application's own "
    + "shutdown. A namespaced GracefulPolicy that matches a workload always overrides it. A namespace that stops "
    + "matching, and deleting the policy, restore what the operator changed. Served only when the operator watches "
    + "all namespaces.")
// The same columns as `kubectl get gp` (CrdIsUpToDateTest keeps the order).
@AdditionalPrinterColumn(name = "Sleep", jsonPath = ".spec.preStop.sleepSeconds",
    type = AdditionalPrinterColumn.Type.INTEGER, getDescription = "preStop sleep seconds")
@AdditionalPrinterColumn(name = "Shutdown", jsonPath = ".spec.shutdownSeconds",
    type = AdditionalPrinterColumn.Type.INTEGER, getDescription = "seconds the application needs after SIGTERM")
@AdditionalPrinterColumn(name = "Mode", jsonPath = ".spec.mode", type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Enforce or Audit")
@AdditionalPrinterColumn(name = "Action", jsonPath = ".status.hookAction", type = AdditionalPrinterColumn.Type.STRING,
    priority = 1, getDescription = "the hook action in use: Sleep or Exec")
@AdditionalPrinterColumn(name = "Matched", jsonPath = ".status.matched", type = AdditionalPrinterColumn.Type.INTEGER,
    getDescription = "workloads the policy selects, cluster-wide")
@AdditionalPrinterColumn(name = "Applied", jsonPath = ".status.applied", type = AdditionalPrinterColumn.Type.INTEGER,
    getDescription = "matched workloads in state Applied")
@AdditionalPrinterColumn(name = "Pending", jsonPath = ".status.pending", type = AdditionalPrinterColumn.Type.INTEGER,
    priority = 1, getDescription = "matched workloads in state Pending")
@AdditionalPrinterColumn(name = "Skipped", jsonPath = ".status.skipped", type = AdditionalPrinterColumn.Type.INTEGER,
    priority = 1, getDescription = "matched workloads in state Skipped (OverriddenByNamespacePolicy included)")
@AdditionalPrinterColumn(name = "Audit", jsonPath = ".status.audit", type = AdditionalPrinterColumn.Type.INTEGER,
    priority = 1, getDescription = "matched workloads in state Audit")
@AdditionalPrinterColumn(name = "Conflicts", jsonPath = ".status.conflicts",
    type = AdditionalPrinterColumn.Type.INTEGER, priority = 1,
    getDescription = "matched workloads in state Conflict")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING, getDescription = "status of the Ready condition")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
// the generator sees the inherited selector as a field of the subclass
@SchemaSwap(originalType = ClusterGracefulPolicySpec.class, fieldName = "selector", targetType = SelectorSchema.class)
@SchemaSwap(originalType = ClusterGracefulPolicySpec.class, fieldName = "namespaceSelector",
    targetType = NamespaceSelectorSchema.class)
@SchemaSwap(originalType = GracefulPolicyStatus.class, fieldName = "hookAction",
    targetType = ResolvedHookActionSchema.class)
public class ClusterGracefulPolicy extends CustomResource<ClusterGracefulPolicySpec, GracefulPolicyStatus> {
}
