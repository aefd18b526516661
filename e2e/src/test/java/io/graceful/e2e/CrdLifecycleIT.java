package io.graceful.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's templated-CRD path (values crds.enabled/crds.keep, chart README "CRD upgrades") with the real helm
 * against the real API server: a CRD that exists unowned is refused until the release adopts it, {@code helm upgrade}
 * then upgrades the CRD (a newer chart's CRD and an annotation), and {@code helm uninstall} keeps the CRD and the
 * policies. The CRD is shared with the other test classes: this class leaves it as crd/ defines it, without Helm's
 * ownership metadata, and never deletes it.
 */
class CrdLifecycleIT {
  static final String CRD = "gracefulpolicies.graceful.io";
  static final String RELEASE = "crd-life";
  static final String NAMESPACE = "graceful-crd";
  static final String OTHER_CRD = "gracefulpolicies.lifecycle.graceful.io";
  /** The chart's second CRD: it is templated, adopted and kept exactly like the GracefulPolicy one. */
  static final String CLUSTER_CRD = "clustergracefulpolicies.graceful.io";

  private static ControlPlane cp;

  @BeforeAll
  static void start() {
    cp = ControlPlane.get();
    cp.helm("uninstall", RELEASE, "-n", NAMESPACE, "--ignore-not-found").orFail();
    cp.freshNamespace(NAMESPACE);
    // the CRD as kubectl users (and the other tests) have it: from crd/, not owned by any release
    cp.kubectl("apply", "--server-side", "-f", "crd/").orFail();
    disown();
    cp.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/" + CRD).orFail();
  }

  @AfterAll
  static void restore() {
    if (cp != null) {
      cp.helm("uninstall", RELEASE, "-n", NAMESPACE, "--ignore-not-found");
      disown();
      cp.kubectl("apply", "--server-side", "--force-conflicts", "-f", "crd/");
      cp.kubectl("delete", "namespace", NAMESPACE, "--ignore-not-found", "--wait=false");
    }
  }

  /** Removes what Helm reads as ownership, so the next run (and the other classes) see an unowned CRD. */
  private static void disown() {
    for (String crd : List.of(CRD, CLUSTER_CRD)) {
      // every label the chart's template sets
      cp.kubectl("label", "crd", crd, "app.kubernetes.io/managed-by-", "app.kubernetes.io/instance-",
          "app.kubernetes.io/name-", "app.kubernetes.io/version-", "app.kubernetes.io/component-",
          "app.kubernetes.io/part-of-", "helm.sh/chart-").orFail();
      cp.kubectl("annotate", "crd", crd, "meta.helm.sh/release-name-", "meta.helm.sh/release-namespace-",
          "helm.sh/resource-policy-", "e2e.graceful.io/upgraded-").orFail();
    }
  }

  private static Cli.Result helmWithCrd(String verb, String chart, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of(verb, RELEASE, chart, "-n", NAMESPACE,
        "--set", "crds.enabled=true", "--set", "replicas=0", "--set", "podDisruptionBudget.enabled=false",
        "--set", "watchNamespaces={" + NAMESPACE + "}", "--timeout", "120s"));
    args.addAll(List.of(extra));
    return cp.helm(args.toArray(String[]::new));
  }

  private static String crdField(String jsonpath) {
    return cp.kubectl("get", "crd", CRD, "-o", "jsonpath=" + jsonpath).orFail();
  }

  @Test
  void templatedCrdIsAdoptedUpgradedByHelmUpgradeAndKeptOnUninstall() throws IOException {
    cp.helm("uninstall", RELEASE, "-n", NAMESPACE, "--ignore-not-found", "--wait").orFail();
    disown();
    // 1. an unowned CRD: Helm refuses to take it over and changes nothing (README: adopt it first)
    Cli.Result refused = helmWithCrd("install", "helm/graceful-operator");
    assertThat(refused.ok()).as(refused.toString()).isFalse();
    // Helm names the first unowned CRD it meets (the chart carries two)
    assertThat(refused.stderr()).contains("invalid ownership metadata").containsAnyOf(CRD, CLUSTER_CRD);
    assertThat(cp.helm("status", RELEASE, "-n", NAMESPACE).ok()).as("no release was recorded").isFalse();

    // 2. adoption as the chart README says, then install: the release owns the CRDs, annotated keep
    for (String crd : List.of(CRD, CLUSTER_CRD)) {
      cp.kubectl("label", "crd", crd, "app.kubernetes.io/managed-by=Helm").orFail();
      cp.kubectl("annotate", "crd", crd, "meta.helm.sh/release-name=" + RELEASE,
          "meta.helm.sh/release-namespace=" + NAMESPACE).orFail();
    }
    helmWithCrd("install", "helm/graceful-operator").orFail();
    assertThat(crdField("{.metadata.labels.app\\.kubernetes\\.io/instance}")).isEqualTo(RELEASE);
    assertThat(crdField("{.metadata.annotations.helm\\.sh/resource-policy}")).isEqualTo("keep");
    assertThat(crdField("{.spec.names.shortNames}")).doesNotContain("gpx");

    // a policy lives in the CRD through the upgrade and the uninstall
    cp.kubectlStdin("""
        apiVersion: graceful.io/v1alpha1
        kind: GracefulPolicy
        metadata:
          name: survives
        spec:
          selector:
            matchLabels:
              tier: web
          preStop:
            sleepSeconds: 5
          shutdownSeconds: 10
          mode: Audit
        """, "apply", "-n", NAMESPACE, "-f", "-").orFail();

    // 3. helm upgrade with a newer chart whose CRD has another short name: the CRD on the server follows
    Path newer = newerChart();
    helmWithCrd("upgrade", newer.toString(), "--set", "crds.annotations.e2e\\.graceful\\.io/upgraded=yes").orFail();
    assertThat(crdField("{.spec.names.shortNames}")).contains("gpx");
    assertThat(crdField("{.metadata.annotations.e2e\\.graceful\\.io/upgraded}")).isEqualTo("yes");
    cp.kubectl("get", "gpx", "survives", "-n", NAMESPACE).orFail();

    // back to this chart's CRD (the other test classes use it): the upgrade takes the short name away again
    helmWithCrd("upgrade", "helm/graceful-operator").orFail();
    assertThat(crdField("{.spec.names.shortNames}")).doesNotContain("gpx");

    // 4. helm uninstall keeps the CRD (crds.keep=true) and so the policy
    Cli.Result uninstall = cp.helm("uninstall", RELEASE, "-n", NAMESPACE, "--wait", "--timeout", "60s");
    uninstall.orFail();
    assertThat(uninstall.stdout() + uninstall.stderr()).contains("kept due to the resource policy").contains(CRD);
    assertThat(crdField("{.metadata.name}")).isEqualTo(CRD);
    assertThat(cp.kubectl("get", "gracefulpolicy", "survives", "-n", NAMESPACE, "-o", "name").orFail().strip())
        .isEqualTo("gracefulpolicy.graceful.io/survives");
    // the rest of the release is gone
    assertThat(cp.kubectl("get", "deployment", "-n", NAMESPACE, "-l", "app.kubernetes.io/instance=" + RELEASE,
        "-o", "name").orFail()).isBlank();
    assertThat(cp.kubectl("get", "clusterrole", "-l", "app.kubernetes.io/instance=" + RELEASE, "-o", "name")
        .orFail()).isBlank();
  }

  /**
   * A fresh install on a cluster without the CRD, as the chart README says: without {@code --skip-crds} Helm creates
   * the CRD from crds/ and then refuses the template's copy; with it the release creates, upgrades and keeps the
   * CRD. The shared GracefulPolicy CRD cannot be deleted under the other test classes, so this runs a chart copy
   * whose CRD is renamed to another group ({@value #OTHER_CRD}); templates and flags are the chart's.
   */
  @Test
  void freshInstallNeedsSkipCrdsThenTheReleaseOwnsUpgradesAndKeepsTheCrd() throws IOException {
    cp.helm("uninstall", RELEASE, "-n", NAMESPACE, "--ignore-not-found", "--wait").orFail();
    cp.kubectl("delete", "crd", OTHER_CRD, "--ignore-not-found").orFail();
    java.util.function.UnaryOperator<String> renamed = text -> text
        .replace("name: \"" + CRD + "\"", "name: \"" + OTHER_CRD + "\"")
        .replace("group: \"graceful.io\"", "group: \"lifecycle.graceful.io\"")
        .replace("    - \"gp\"\n    - \"gpol\"\n", "    - \"gplc\"\n");
    Path chart = chartCopy("renamed", renamed, false);
    try {
      // without --skip-crds: crds/ first, unowned, then the template's copy is refused
      Cli.Result refused = helmWithCrd("install", chart.toString());
      assertThat(refused.ok()).as(refused.toString()).isFalse();
      assertThat(refused.stderr()).contains("invalid ownership metadata").contains(OTHER_CRD);
      cp.kubectl("delete", "crd", OTHER_CRD).orFail();

      // with --skip-crds: the release creates the CRD
      helmWithCrd("install", chart.toString(), "--skip-crds").orFail();
      cp.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/" + OTHER_CRD).orFail();
      assertThat(cp.kubectl("get", "crd", OTHER_CRD, "-o",
          "jsonpath={.metadata.annotations.meta\\.helm\\.sh/release-name}").orFail()).isEqualTo(RELEASE);

      // helm upgrade with a newer CRD changes it
      Path newer = chartCopy("renamed-newer", text -> renamed.apply(text)
          .replace("    - \"gplc\"\n", "    - \"gplc\"\n    - \"gplcx\"\n"), false);
      helmWithCrd("upgrade", newer.toString()).orFail();
      assertThat(cp.kubectl("get", "crd", OTHER_CRD, "-o", "jsonpath={.spec.names.shortNames}").orFail())
          .contains("gplcx");

      // helm uninstall keeps it
      cp.helm("uninstall", RELEASE, "-n", NAMESPACE, "--wait", "--timeout", "60s").orFail();
      assertThat(cp.kubectl("get", "crd", OTHER_CRD, "-o", "name").ok()).isTrue();
    } finally {
      cp.helm("uninstall", RELEASE, "-n", NAMESPACE, "--ignore-not-found");
      cp.kubectl("delete", "crd", OTHER_CRD, "--ignore-not-found").orFail();
    }
  }

  /** A copy of the chart whose CRD (crds/, the template's source) has the extra short name "gpx". */
  private static Path newerChart() throws IOException {
    return chartCopy("newer", text -> text.replace("    - \"gpol\"\n", "    - \"gpol\"\n    - \"gpx\"\n"), true);
  }

  /**
   * A copy of the chart whose CRD (crds/ and so the template) is edited by {@code edit}.
   *
   * @param withClusterCrd keep the ClusterGracefulPolicy CRD; without it the copy carries the edited CRD only (the
   *     shared, unowned cluster CRD would otherwise stop a release of a renamed copy)
   */
  private static Path chartCopy(String name, java.util.function.UnaryOperator<String> edit, boolean withClusterCrd)
      throws IOException {
    Path source = cp.root().resolve("helm/graceful-operator");
    Path target = cp.state().resolve("crd-life-chart/" + name + "/graceful-operator");
    if (Files.exists(target)) {
      try (Stream<Path> walk = Files.walk(target)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    try (Stream<Path> walk = Files.walk(source)) {
      for (Path p : walk.toList()) {
        Path t = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    Path crd = target.resolve("crds/" + CRD + "-v1.yml");
    String text = Files.readString(crd);
    String edited = edit.apply(text);
    assertThat(edited).as("edited %s", crd).isNotEqualTo(text);
    Files.writeString(crd, edited);
    if (!withClusterCrd) {
      Files.delete(target.resolve("crds/" + CLUSTER_CRD + "-v1.yml"));
    }
    return target;
  }
}
