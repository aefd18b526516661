package io.graceful.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.controller.DecisionListener;
import io.graceful.operator.controller.GracefulPolicyReconciler;
import io.graceful.operator.it.Fixtures;
import io.graceful.operator.it.MockApiServer;
import io.graceful.operator.it.OperatorHarness;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The framework starts the two controllers in parallel, so the policy reconciler can run before the Deployment
 * controller's event sources (and their informers and caches) exist. It must wait for them, never fail: this
 * once showed as a NullPointerException in {@code GracefulOperator.synced()} and 16 WARN stack traces at start-up.
 */
class StartupRaceTest {
  private static final OperatorConfig CONFIG = OperatorConfig.fromEnvironment(Map.of(
      "GRACEFUL_NATIVE_SLEEP", "true", "GRACEFUL_HTTP_PORT", "0"));

  @Test
  void aPolicyReconciledBeforeTheDeploymentInformersExistIsRetriedInsteadOfFailing() {
    try (MockApiServer api = new MockApiServer("31"); KubernetesClient client = api.operatorClient()) {
      GracefulOperator.Assembly assembly = GracefulOperator.assemble(client, CONFIG, DecisionListener.NONE,
          GracefulPolicyReconciler.PolicyStatusListener.NONE, reason -> { });
      try {
        // the moment of the race: both controllers registered, the Deployment controller not started yet
        assertThat(GracefulOperator.synced(assembly.deploymentController())).as("synced before start").isFalse();
        GracefulPolicy policy = Fixtures.policy("shop", "web", Map.of("tier", "web"), 10, 20L);
        // the gate answers before the context is used: no context exists before the controller starts either
        UpdateControl<GracefulPolicy> result = assembly.policies().reconcile(policy, null);
        assertThat(result.isNoUpdate()).as("nothing written").isTrue();
        assertThat(result.getScheduleDelay()).as("tried again shortly").contains(1000L);
      } finally {
        assembly.operator().stop();
      }
    }
  }

  @Test
  void livenessIsGreenWhileRunningAndTurnsRedOnceTheOperatorStopped() {
    try (OperatorHarness h = new OperatorHarness("31", CONFIG)) {
      assertThat(h.operator.liveProblem()).isEmpty();
      assertThat(h.operator.isLive()).isTrue();
      h.operator.close();
      assertThat(h.operator.liveProblem()).contains("stopped");
      assertThat(h.operator.isLive()).isFalse();
      assertThat(h.operator.isReady()).isFalse();
    }
  }
}
