package io.graceful.operator.core;

import static io.graceful.operator.core.CoreFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import io.graceful.operator.api.v1alpha1.HookAction;
import io.graceful.operator.api.v1alpha1.PreStopSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeploymentOverridesTest {
  private static final PolicySettings POLICY = settings();

  private static PolicySettings settings() {
    GracefulPolicySpec s = spec(10, 20L);
    s.setPreStop(new PreStopSpec(10L, "Exec"));
    return PolicySettings.validate(s).settings();
  }

  @Test
  void noAnnotationsMeansPolicyValues() {
    DeploymentOverrides o = DeploymentOverrides.resolve(Map.of(), POLICY);
    assertThat(o).isEqualTo(new DeploymentOverrides(10, 20, HookAction.Exec, java.util.List.of()));
  }

  @Test
  void validOverridesWin() {
    DeploymentOverrides o = DeploymentOverrides.resolve(Map.of(
        GracefulAnnotations.SLEEP_SECONDS, "15",
        GracefulAnnotations.SHUTDOWN_SECONDS, " 0 ",
        GracefulAnnotations.ACTION, "sleep"), POLICY);
    assertThat(o.sleepSeconds()).isEqualTo(15);
    assertThat(o.shutdownSeconds()).isZero();
    assertThat(o.action()).as("case-insensitive action").isEqualTo(HookAction.Sleep);
    assertThat(o.problems()).isEmpty();
  }

  @Test
  void boundsAreInclusive() {
    DeploymentOverrides o = DeploymentOverrides.resolve(Map.of(
        GracefulAnnotations.SLEEP_SECONDS, "3600", GracefulAnnotations.SHUTDOWN_SECONDS, "3600"), POLICY);
    assertThat(o.sleepSeconds()).isEqualTo(3600);
    assertThat(o.shutdownSeconds()).isEqualTo(3600);
    assertThat(o.problems()).isEmpty();
  }

  @Test
  void outOfRangeFallsBackWithAProblem() {
    DeploymentOverrides o = DeploymentOverrides.resolve(Map.of(
        GracefulAnnotations.SLEEP_SECONDS, "0", GracefulAnnotations.SHUTDOWN_SECONDS, "3601"), POLICY);
    assertThat(o.sleepSeconds()).isEqualTo(10);
    assertThat(o.shutdownSeconds()).isEqualTo(20);
    assertThat(o.problems()).hasSize(2);
    assertThat(o.problems().get(0)).contains("graceful.io/sleep-seconds='0'", "1..3600", "policy's 10");
    assertThat(o.problems().get(1)).contains("graceful.io/shutdown-seconds='3601'", "0..3600", "policy's 20");
  }

  @Test
  void notANumberFallsBackWithAProblem() {
    for (String bad : new String[] {"abc", "1.5", "", "10s", "-"}) {
      DeploymentOverrides o = DeploymentOverrides.resolve(Map.of(GracefulAnnotations.SLEEP_SECONDS, bad), POLICY);
      assertThat(o.sleepSeconds()).as(bad).isEqualTo(10);
      assertThat(o.problems()).as(bad).singleElement().asString().contains("not a whole number");
    }
    DeploymentOverrides huge = DeploymentOverrides.resolve(
        Map.of(GracefulAnnotations.SHUTDOWN_SECONDS, "99999999999999999999999"), POLICY);
    assertThat(huge.shutdownSeconds()).isEqualTo(20);
    assertThat(huge.problems()).hasSize(1);
  }

  @Test
  void badActionFallsBackWithAProblem() {
    DeploymentOverrides o = DeploymentOverrides.resolve(Map.of(GracefulAnnotations.ACTION, "Nap"), POLICY);
    assertThat(o.action()).isEqualTo(HookAction.Exec);
    assertThat(o.problems()).singleElement().asString().contains("graceful.io/action='Nap'", "Exec");
  }
}
