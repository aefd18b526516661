package io.graceful.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A GracefulPolicy selects Deployments of its namespace and keeps their preStop hooks and grace period consistent. */
@Group(GracefulPolicy.GROUP)
@Version(GracefulPolicy.VERSION)
@Plural("gracefulpolicies")
@Singular("gracefulpolicy")
@ShortNames({"gp", "gpol"})
@JsonClassDescription("GracefulPolicy selects Deployments of its namespace and keeps their pod templates carrying a "
    + "preStop sleep hook and a terminationGracePeriodSeconds long enough for the sleep plus the application's own "
    + "shutdown, so pods stop receiving traffic before they get SIGTERM. Removing a Deployment from the policy "
    + "restores what the operator changed.")
@AdditionalPrinterColumn(name = "Sleep", jsonPath = ".spec.preStop.sleepSeconds",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Shutdown", jsonPath = ".spec.shutdownSeconds",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Mode", jsonPath = ".spec.mode", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Matched", jsonPath = ".status.matched", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Applied", jsonPath = ".status.applied", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class GracefulPolicy extends CustomResource<GracefulPolicySpec, GracefulPolicyStatus> implements Namespaced {
  public static final String GROUP = "graceful.io";
  public static final String VERSION = "v1alpha1";
}
