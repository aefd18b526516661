package io.graceful.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.SchemaSwap;
import io.graceful.operator.api.v1alpha1.schema.ResolvedHookActionSchema;
import io.graceful.operator.api.v1alpha1.schema.SelectorSchema;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A GracefulPolicy selects workloads (Deployments, StatefulSets, DaemonSets) of its namespace and keeps their preStop
 * hooks and grace period consistent.
 */
@Group(GracefulPolicy.GROUP)
@Version(GracefulPolicy.VERSION)
@Plural("gracefulpolicies")
@Singular("gracefulpolicy")
@ShortNames({"gp", "gpol"})
@Categories("graceful")
@JsonClassDescription("GracefulPolicy selects workloads of its namespace (the kinds in spec.workloads: Deployments "
    + "by default, StatefulSets, DaemonSets) and keeps their pod templates carrying a "
    + "preStop sleep hook and a terminationGracePeriodSeconds long enough for the sleep plus the application's own "
    + "shutdown, so pods stop receiving traffic before they get SIGTERM. Removing a workload from the policy "
    + "restores what the operator changed.")
// Columns of `kubectl get gp`; priority 1 ones only with -o wide. The demo prints the same columns from this CRD.
@AdditionalPrinterColumn(name = "Sleep", jsonPath = ".spec.preStop.sleepSeconds",
    type = AdditionalPrinterColumn.Type.INTEGER, getDescription = "preStop sleep seconds")
@AdditionalPrinterColumn(name = "Shutdown", jsonPath = ".spec.shutdownSeconds",
    type = AdditionalPrinterColumn.Type.INTEGER, getDescription = "seconds the application needs after SIGTERM")
@AdditionalPrinterColumn(name = "Mode", jsonPath = ".spec.mode", type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Enforce or Audit")
@AdditionalPrinterColumn(name = "Action", jsonPath = ".status.hookAction", type = AdditionalPrinterColumn.Type.STRING,
    priority = 1, getDescription = "the hook action in use: Sleep or Exec")
@AdditionalPrinterColumn(name = "Matched", jsonPath = ".status.matched", type = AdditionalPrinterColumn.Type.INTEGER,
    getDescription = "workloads the policy selects")
@AdditionalPrinterColumn(name = "Applied", jsonPath = ".status.applied", type = AdditionalPrinterColumn.Type.INTEGER,
    getDescription = "matched workloads in state Applied")
@AdditionalPrinterColumn(name = "Pending", jsonPath = ".status.pending", type = AdditionalPrinterColumn.Type.INTEGER,
    priority = 1, getDescription = "matched workloads in state Pending")
@AdditionalPrinterColumn(name = "Skipped", jsonPath = ".status.skipped", type = AdditionalPrinterColumn.Type.INTEGER,
    priority = 1, getDescription = "matched workloads in state Skipped")
@AdditionalPrinterColumn(name = "Audit", jsonPath = ".status.audit", type = AdditionalPrinterColumn.Type.INTEGER,
    priority = 1, getDescription = "matched workloads in state Audit")
@AdditionalPrinterColumn(name = "Conflicts", jsonPath = ".status.conflicts",
    type = AdditionalPrinterColumn.Type.INTEGER, priority = 1,
    getDescription = "matched workloads in state Conflict")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING, getDescription = "status of the Ready condition")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
// Every field of the CRD carries a description for `kubectl explain`: these swaps give the fields typed with
// generated model classes (no descriptions) a documented schema of the same shape.
@SchemaSwap(originalType = GracefulPolicySpec.class, fieldName = "selector", targetType = SelectorSchema.class)
@SchemaSwap(originalType = GracefulPolicyStatus.class, fieldName = "hookAction",
    targetType = ResolvedHookActionSchema.class)
public class GracefulPolicy extends CustomResource<GracefulPolicySpec, GracefulPolicyStatus> implements Namespaced {
  public static final String GROUP = "graceful.io";
  public static final String VERSION = "v1alpha1";
}
