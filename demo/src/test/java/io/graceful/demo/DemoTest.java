package io.graceful.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs the demo's whole flow (embedded API server, examples/, the real operator, the undo) and checks the
 * AFTER state the way a user reading the tables would: what changed, what must not have.
 */
class DemoTest {

  @Test
  void theOperatorGovernsTheExamplesAndUndoesAnOptOut() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    DemoMain.Result result =
        DemoMain.run(new PrintStream(printed, true, StandardCharsets.UTF_8), Duration.ofSeconds(90));
    String output = printed.toString(StandardCharsets.UTF_8);
    System.out.println(output);

    assertThat(result.exitCode()).as(output).isZero();
    assertThat(output).contains("== BEFORE", "== AFTER", "== GracefulPolicies", "== UNDO", "== Events");
    Map<String, HasMetadata> before = byKey(result.before());
    Map<String, HasMetadata> after = byKey(result.after());

    // plain web app: native sleep (the embedded server reports 1.31), TGPS = 10 + 25
    assertThat(sleepSeconds(after, "storefront", "web")).isEqualTo(10);
    assertThat(tgps(after, "storefront")).isEqualTo(35);
    assertThat(Tables.annotation(deployment(after, "shop/storefront"), Tables.APPLIED_POLICY, null)).isEqualTo("web");

    // multi-container: the app gets the hook, the excluded log shipper does not
    assertThat(sleepSeconds(after, "cart", "app")).isEqualTo(10);
    assertThat(preStop(after, "cart", "log-shipper")).isNull();

    // a team's own hook is kept; a recognisable foreign sleep is kept too, but TGPS covers it (20 + 25)
    assertThat(preStop(after, "search", "web")).isEqualTo(preStop(before, "search", "web"));
    assertThat(preStop(after, "recommendations", "web")).isEqualTo(preStop(before, "recommendations", "web"));
    assertThat(tgps(after, "recommendations")).isEqualTo(45);

    // per-Deployment action and sleep overrides
    assertThat(sleepSeconds(after, "thumbnailer", "thumbnailer")).isEqualTo(10);
    LifecycleHandler exec = preStop(after, "legacy-gateway", "gateway");
    assertThat(exec.getExec()).as("graceful.io/action: Exec").isNotNull();
    assertThat(String.join(" ", exec.getExec().getCommand())).contains("sleep").contains("10");
    assertThat(sleepSeconds(after, "checkout", "web")).isEqualTo(15);
    assertThat(tgps(after, "checkout")).isEqualTo(40);

    // init container and native sidecar untouched, the regular container governed
    assertThat(sleepSeconds(after, "catalog", "web")).isEqualTo(10);
    assertThat(Tables.template(deployment(after, "shop/catalog")).getSpec().getInitContainers())
        .isEqualTo(Tables.template(deployment(before, "shop/catalog")).getSpec().getInitContainers());

    // opted in by annotation without matching labels
    assertThat(sleepSeconds(after, "reports", "reports")).isEqualTo(10);

    // two policies: the higher priority wins, the loser counts a conflict
    assertThat(Tables.annotation(deployment(after, "shop/orders"), Tables.APPLIED_POLICY, null)).isEqualTo("orders-slow");
    assertThat(sleepSeconds(after, "orders", "web")).isEqualTo(20);
    assertThat(tgps(after, "orders")).isEqualTo(90);
    assertThat(((Number) policy(result, "shop", "web").get("status", "conflicts")).intValue()).isEqualTo(1);

    // opted out, not selected, Audit mode, Recreate strategy: template exactly as written, no operator annotation
    for (String untouched : List.of("shop/admin", "shop/nightly-export", "payments/ledger-api",
        "shop/session-store")) {
      assertThat(Tables.template(deployment(after, untouched))).as(untouched)
          .isEqualTo(Tables.template(deployment(before, untouched)));
      assertThat(Tables.annotation(deployment(after, untouched), Tables.APPLIED_POLICY, null)).as(untouched).isNull();
    }

    // shop/web lists StatefulSet and DaemonSet in spec.workloads: each gets the hook and TGPS storefront gets, with
    // exactly one write, and the AFTER table names them by kind
    for (String[] kindNameContainer : List.of(new String[] {"StatefulSet", "inventory", "cache"},
        new String[] {"DaemonSet", "edge-proxy", "proxy"})) {
      String kind = kindNameContainer[0];
      String name = kindNameContainer[1];
      assertThat(sleepSeconds(after, kind, name, kindNameContainer[2])).as(kind).isEqualTo(10);
      assertThat(tgps(after, kind, name)).as(kind).isEqualTo(35);
      assertThat(Tables.annotation(workload(after, kind, "shop", name), Tables.APPLIED_POLICY, null)).as(kind)
          .isEqualTo("web");
      assertThat(result.writes()).as("writes to " + kind).containsEntry(Tables.key(kind, "shop", name), 1L);
      assertThat(output).contains(kind.toLowerCase() + "/" + name);
    }
    // one write per changed workload, none to an unchanged one
    assertThat(result.writes()).as("writes to workloads").hasSize(13).allSatisfy((key, n) -> assertThat(n)
        .as(key).isEqualTo(1L));
    assertThat(output).contains("13 workloads (11 Deployments, 1 StatefulSet, 1 DaemonSet) changed");

    // examples/cluster-policy.yaml: the ClusterGracefulPolicy governs blog/frontend, the team's policy overrides it
    // for blog/comments, and the cluster policy lists that workload (with its namespace) as overridden
    assertThat(blogSleep(after, "frontend")).isEqualTo(5);
    assertThat(Tables.annotation(deployment(after, "blog/frontend"), Tables.APPLIED_POLICY, null))
        .isEqualTo("cluster/platform-default");
    assertThat(blogSleep(after, "comments")).isEqualTo(15);
    GenericKubernetesResource platform = result.policies().stream()
        .filter(p -> p.getMetadata().getNamespace() == null && "platform-default".equals(p.getMetadata().getName()))
        .findFirst().orElseThrow();
    assertThat(Tables.statusDeployments(platform)).singleElement().satisfies(e -> {
      assertThat(e).containsEntry("namespace", "blog").containsEntry("name", "comments")
          .containsEntry("reason", "OverriddenByNamespacePolicy");
    });
    assertThat(output).contains("cluster/platform-default", "OverriddenByNamespacePolicy");

    // every policy reports Ready for its current generation
    for (GenericKubernetesResource p : result.policies()) {
      assertThat(Tables.condition(p, "Ready")).as(p.getMetadata().getName()).isNotNull();
    }

    // the undo: storefront's template is back to what its team wrote, the operator's annotations are gone
    assertThat(result.undone().getSpec().getTemplate())
        .isEqualTo(Tables.template(deployment(before, "shop/storefront")));
    assertThat(result.undone().getMetadata().getAnnotations().keySet())
        .noneMatch(k -> k.equals("graceful.io/applied-policy") || k.equals("graceful.io/original")
            || k.equals("graceful.io/applied"));

    // and the operator said so in Events
    assertThat(result.events()).anyMatch(e -> "storefront".equals(e.getInvolvedObject().getName()));

    // DRAIN: the policy's status says the 10 s sleep is too short, with the numbers, and an Event says so
    assertThat(output).contains("== DRAIN");
    Map<String, Object> drain = result.drained().get("status", "drain");
    assertThat(drain).containsEntry("samples", 4).containsEntry("unsafeTerminations", 2);
    assertThat(((Number) drain.get("p50Seconds")).doubleValue()).isBetween(6.0, 8.5);
    assertThat(((Number) drain.get("maxSeconds")).doubleValue()).isBetween(16.0, 18.5);
    assertThat(((Number) drain.get("recommendedSleepSeconds")).longValue()).isBetween(18L, 21L);
    Map<String, Object> sufficient = Tables.condition(result.drained(), "SleepSufficient");
    assertThat(sufficient).containsEntry("status", "False").containsEntry("reason", "UnsafeTerminations");
    assertThat((String) sufficient.get("message")).contains("sleep 10 s is shorter than the drain", "2 unsafe",
        "recommended sleep");
    assertThat(output).contains("condition SleepSufficient=False (UnsafeTerminations): sleep 10 s is shorter");
    assertThat(result.events()).anyMatch(e -> "SleepInsufficient".equals(e.getReason())
        && "web".equals(e.getInvolvedObject().getName()));
  }

  private static Map<String, HasMetadata> byKey(List<HasMetadata> workloads) {
    Map<String, HasMetadata> map = new LinkedHashMap<>();
    workloads.forEach(w -> map.put(Tables.key(w), w));
    return map;
  }

  /** The Deployment "namespace/name". */
  private static HasMetadata deployment(Map<String, HasMetadata> workloads, String namespacedName) {
    String[] parts = namespacedName.split("/");
    return workload(workloads, "Deployment", parts[0], parts[1]);
  }

  private static HasMetadata workload(Map<String, HasMetadata> workloads, String kind, String namespace,
      String name) {
    HasMetadata w = workloads.get(Tables.key(kind, namespace, name));
    assertThat(w).as(Tables.key(kind, namespace, name)).isNotNull();
    return w;
  }

  private static LifecycleHandler preStop(Map<String, HasMetadata> workloads, String name, String container) {
    return preStop(workloads, "Deployment", name, container);
  }

  private static LifecycleHandler preStop(Map<String, HasMetadata> workloads, String kind, String name,
      String container) {
    Container c = Tables.template(workload(workloads, kind, "shop", name)).getSpec().getContainers().stream()
        .filter(x -> x.getName().equals(container)).findFirst().orElseThrow();
    return Tables.preStop(c);
  }

  /** The native sleep of container web of a Deployment of examples/cluster-policy.yaml (namespace blog). */
  private static Integer blogSleep(Map<String, HasMetadata> workloads, String name) {
    Container c = Tables.template(deployment(workloads, "blog/" + name)).getSpec().getContainers().get(0);
    LifecycleHandler hook = Tables.preStop(c);
    assertThat(hook).as("blog/" + name + " preStop").isNotNull();
    assertThat(hook.getSleep()).as("blog/" + name + " native sleep").isNotNull();
    return hook.getSleep().getSeconds().intValue();
  }

  private static Integer sleepSeconds(Map<String, HasMetadata> workloads, String name, String container) {
    return sleepSeconds(workloads, "Deployment", name, container);
  }

  private static Integer sleepSeconds(Map<String, HasMetadata> workloads, String kind, String name,
      String container) {
    LifecycleHandler hook = preStop(workloads, kind, name, container);
    assertThat(hook).as(kind + " " + name + "/" + container + " preStop").isNotNull();
    assertThat(hook.getSleep()).as(kind + " " + name + "/" + container + " native sleep").isNotNull();
    return hook.getSleep().getSeconds().intValue();
  }

  private static Long tgps(Map<String, HasMetadata> workloads, String name) {
    return tgps(workloads, "Deployment", name);
  }

  private static Long tgps(Map<String, HasMetadata> workloads, String kind, String name) {
    return Tables.template(workload(workloads, kind, "shop", name)).getSpec().getTerminationGracePeriodSeconds();
  }

  private static GenericKubernetesResource policy(DemoMain.Result result, String namespace, String name) {
    return result.policies().stream()
        .filter(p -> namespace.equals(p.getMetadata().getNamespace()) && name.equals(p.getMetadata().getName()))
        .findFirst().orElseThrow();
  }
}
