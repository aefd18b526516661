package io.graceful.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.apps.Deployment;
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
    Map<String, Deployment> before = byKey(result.before());
    Map<String, Deployment> after = byKey(result.after());

    // plain web app: native sleep (the embedded server reports 1.31), TGPS = 10 + 25
    assertThat(sleepSeconds(after, "storefront", "web")).isEqualTo(10);
    assertThat(tgps(after, "storefront")).isEqualTo(35);
    assertThat(Tables.annotation(after.get("shop/storefront"), Tables.APPLIED_POLICY, null)).isEqualTo("web");

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
    assertThat(after.get("shop/catalog").getSpec().getTemplate().getSpec().getInitContainers())
        .isEqualTo(before.get("shop/catalog").getSpec().getTemplate().getSpec().getInitContainers());

    // opted in by annotation without matching labels
    assertThat(sleepSeconds(after, "reports", "reports")).isEqualTo(10);

    // two policies: the higher priority wins, the loser counts a conflict
    assertThat(Tables.annotation(after.get("shop/orders"), Tables.APPLIED_POLICY, null)).isEqualTo("orders-slow");
    assertThat(sleepSeconds(after, "orders", "web")).isEqualTo(20);
    assertThat(tgps(after, "orders")).isEqualTo(90);
    assertThat(((Number) policy(result, "shop", "web").get("status", "conflicts")).intValue()).isEqualTo(1);

    // opted out, not selected, Audit mode, Recreate strategy: template exactly as written, no operator annotation
    for (String untouched : List.of("shop/admin", "shop/nightly-export", "payments/ledger-api",
        "shop/session-store")) {
      assertThat(after.get(untouched).getSpec().getTemplate()).as(untouched)
          .isEqualTo(before.get(untouched).getSpec().getTemplate());
      assertThat(Tables.annotation(after.get(untouched), Tables.APPLIED_POLICY, null)).as(untouched).isNull();
    }

    // every policy reports Ready for its current generation
    for (GenericKubernetesResource p : result.policies()) {
      assertThat(Tables.condition(p, "Ready")).as(p.getMetadata().getName()).isNotNull();
    }

    // the undo: storefront's template is back to what its team wrote, the operator's annotations are gone
    assertThat(result.undone().getSpec().getTemplate())
        .isEqualTo(before.get("shop/storefront").getSpec().getTemplate());
    assertThat(result.undone().getMetadata().getAnnotations().keySet())
        .noneMatch(k -> k.equals("graceful.io/applied-policy") || k.equals("graceful.io/original")
            || k.equals("graceful.io/applied"));

    // and the operator said so in Events
    assertThat(result.events()).anyMatch(e -> "storefront".equals(e.getInvolvedObject().getName()));
  }

  private static Map<String, Deployment> byKey(List<Deployment> deployments) {
    Map<String, Deployment> map = new LinkedHashMap<>();
    deployments.forEach(d -> map.put(Tables.key(d), d));
    return map;
  }

  private static Deployment shop(Map<String, Deployment> deployments, String name) {
    Deployment d = deployments.get("shop/" + name);
    assertThat(d).as("Deployment shop/" + name).isNotNull();
    return d;
  }

  private static LifecycleHandler preStop(Map<String, Deployment> deployments, String name, String container) {
    Container c = shop(deployments, name).getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(x -> x.getName().equals(container)).findFirst().orElseThrow();
    return Tables.preStop(c);
  }

  private static Integer sleepSeconds(Map<String, Deployment> deployments, String name, String container) {
    LifecycleHandler hook = preStop(deployments, name, container);
    assertThat(hook).as(name + "/" + container + " preStop").isNotNull();
    assertThat(hook.getSleep()).as(name + "/" + container + " native sleep").isNotNull();
    return hook.getSleep().getSeconds().intValue();
  }

  private static Long tgps(Map<String, Deployment> deployments, String name) {
    return shop(deployments, name).getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
  }

  private static GenericKubernetesResource policy(DemoMain.Result result, String namespace, String name) {
    return result.policies().stream()
        .filter(p -> namespace.equals(p.getMetadata().getNamespace()) && name.equals(p.getMetadata().getName()))
        .findFirst().orElseThrow();
  }
}
