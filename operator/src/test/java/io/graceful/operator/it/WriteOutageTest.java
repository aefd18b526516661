package io.graceful.operator.it;

import static io.graceful.operator.it.Fixtures.container;
import static io.graceful.operator.it.Fixtures.deployment;
import static io.graceful.operator.it.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.graceful.operator.api.v1alpha1.PolicyCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.config.OperatorConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, "stuck after errors": the API server refuses the operator's writes for longer than the framework's
 * default retries last (5 attempts, about 26 s), then accepts them again. The operator must converge by itself,
 * with no other event, and say meanwhile in the policy status why it cannot write.
 */
class WriteOutageTest {
  private static final Map<String, String> WEB = Map.of("tier", "web");
  private OperatorHarness h;

  @BeforeEach
  void start() {
    // a 2 s cap keeps the test short; the default cap is 300 s
    h = new OperatorHarness("31", OperatorConfig.defaults().withRetryMaxDelay(Duration.ofSeconds(2)));
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void writesRefusedLongerThanTheDefaultRetriesStillConvergeAfterwardsWithoutAnyOtherEvent() {
    String ns = h.newNamespace("outage");
    AtomicInteger refused = new AtomicInteger();
    h.api.inject(r -> r.method().equals("PATCH") && r.path().contains("/deployments/")
        ? count(refused, MockApiServer.status(500, "InternalError", "etcdserver: request timed out")) : null);
    h.client.resource(deployment(ns, "web", WEB, container("app"))).create();
    h.client.resource(policy(ns, "web", WEB, 10, 20L)).create();

    GracefulPolicy failing = h.awaitPolicy(ns, "web", p -> condition(p, "WritesFailing")
        .map(c -> c.getStatus().equals("True")).orElse(false));
    assertThat(condition(failing, "WritesFailing").orElseThrow().getMessage())
        .contains("web (500: etcdserver: request timed out)");
    assertThat(condition(failing, "Ready").orElseThrow().getReason()).isEqualTo("WritesFailing");

    // longer than JOSDK's default retry budget (its retries would be exhausted by now)
    await().pollDelay(Duration.ofSeconds(30)).atMost(Duration.ofSeconds(31)).until(() -> true);
    assertThat(refused.get()).as("refused attempts").isGreaterThan(6);
    int before = refused.get();
    h.api.healed();

    Deployment d = h.awaitDeployment(ns, "web", x -> GracefulPolicyOperatorTest.hasHook(x, "app",
        GracefulPolicyOperatorTest.sleep(10)));
    assertThat(d).isNotNull();
    GracefulPolicy healed = h.awaitPolicy(ns, "web", p -> condition(p, "WritesFailing")
        .map(c -> c.getStatus().equals("False")).orElse(false) && p.getStatus().getApplied() == 1);
    assertThat(condition(healed, "Ready").orElseThrow().getStatus()).isEqualTo("True");
    assertThat(refused.get()).isEqualTo(before);
  }

  @Test
  void aForbiddenWriteNamesTheMissingPermissionInTheStatus() {
    String ns = h.newNamespace("forbidden");
    String message = "deployments.apps \"web\" is forbidden: User \"system:serviceaccount:graceful-system:graceful\" "
        + "cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"" + ns + "\"";
    h.api.inject(r -> r.method().equals("PATCH") && r.path().contains("/deployments/")
        ? MockApiServer.status(403, "Forbidden", message) : null);
    h.client.resource(deployment(ns, "web", WEB, container("app"))).create();
    h.client.resource(policy(ns, "web", WEB, 10, 20L)).create();
    GracefulPolicy p = h.awaitPolicy(ns, "web", x -> condition(x, "WritesFailing")
        .map(c -> c.getStatus().equals("True")).orElse(false));
    assertThat(condition(p, "WritesFailing").orElseThrow().getMessage()).contains("403: " + message);
    h.api.healed();
  }

  private static <T> T count(AtomicInteger counter, T response) {
    counter.incrementAndGet();
    return response;
  }

  static Optional<PolicyCondition> condition(GracefulPolicy p, String type) {
    return p.getStatus() == null || p.getStatus().getConditions() == null ? Optional.empty()
        : p.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst();
  }
}
