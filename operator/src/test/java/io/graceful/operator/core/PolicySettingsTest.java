package io.graceful.operator.core;

import static io.graceful.operator.core.CoreFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.graceful.operator.api.v1alpha1.ExistingHook;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import io.graceful.operator.api.v1alpha1.HookAction;
import io.graceful.operator.api.v1alpha1.PolicyMode;
import io.graceful.operator.api.v1alpha1.PreStopSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class PolicySettingsTest {

  private static List<String> problems(Consumer<GracefulPolicySpec> edit) {
    GracefulPolicySpec s = spec(10, 20L);
    edit.accept(s);
    PolicySettings.Validated v = PolicySettings.validate(s);
    assertThat(v.valid()).isEqualTo(v.problems().isEmpty());
    if (!v.valid()) {
      assertThat(v.settings()).isNull();
    }
    return v.problems();
  }

  @Test
  void defaults() {
    GracefulPolicySpec s = new GracefulPolicySpec();
    s.setPreStop(new PreStopSpec(5L, null));
    PolicySettings p = PolicySettings.validate(s).settings();
    assertThat(p).isNotNull();
    assertThat(p.sleepSeconds()).isEqualTo(5);
    assertThat(p.action()).isEqualTo(HookAction.Auto);
    assertThat(p.shutdownSeconds()).isEqualTo(10);
    assertThat(p.gracePeriodFloor()).isNull();
    assertThat(p.containers()).isEmpty();
    assertThat(p.excludeContainers()).isEmpty();
    assertThat(p.existingHook()).isEqualTo(ExistingHook.Keep);
    assertThat(p.mode()).isEqualTo(PolicyMode.Enforce);
    assertThat(p.priority()).isZero();
    assertThat(p.selector()).isNull();
    assertThat(p.resolvedAction(true)).isEqualTo(HookAction.Sleep);
    assertThat(p.resolvedAction(false)).isEqualTo(HookAction.Exec);
  }

  @Test
  void explicitValuesAreKept() {
    PolicySettings p = PolicySettings.validate(fullSpec()).settings();
    assertThat(p.action()).isEqualTo(HookAction.Exec);
    assertThat(p.resolvedAction(true)).isEqualTo(HookAction.Exec);
    assertThat(p.gracePeriodFloor()).isEqualTo(60L);
    assertThat(p.containers()).containsExactly("app", "proxy");
    assertThat(p.excludeContainers()).isEqualTo(Set.of("log"));
    assertThat(p.existingHook()).isEqualTo(ExistingHook.Replace);
    assertThat(p.mode()).isEqualTo(PolicyMode.Audit);
    assertThat(p.priority()).isEqualTo(-7);
  }

  private static GracefulPolicySpec fullSpec() {
    GracefulPolicySpec s = spec(10, 20L);
    s.getPreStop().setAction("Exec");
    s.setTerminationGracePeriodSeconds(60L);
    s.setContainers(new ArrayList<>(List.of("app", "proxy", "app")));
    s.setExcludeContainers(new ArrayList<>(List.of("log")));
    s.setExistingHook("Replace");
    s.setMode("Audit");
    s.setPriority(-7L);
    return s;
  }

  @Test
  void missingSpecOrSleep() {
    assertThat(PolicySettings.validate(null).problems()).containsExactly("spec is missing");
    assertThat(problems(s -> s.setPreStop(null))).singleElement().asString().contains("sleepSeconds is required");
    assertThat(problems(s -> s.getPreStop().setSleepSeconds(null))).singleElement().asString()
        .contains("sleepSeconds is required");
  }

  @Test
  void sleepBounds() {
    assertThat(problems(s -> s.getPreStop().setSleepSeconds(0L))).singleElement().asString()
        .contains("sleepSeconds must be 1..3600, got 0");
    assertThat(problems(s -> s.getPreStop().setSleepSeconds(3601L))).hasSize(1);
    assertThat(problems(s -> s.getPreStop().setSleepSeconds(1L))).isEmpty();
    assertThat(problems(s -> s.getPreStop().setSleepSeconds(3600L))).isEmpty();
  }

  @Test
  void shutdownBounds() {
    assertThat(problems(s -> s.setShutdownSeconds(-1L))).singleElement().asString()
        .contains("shutdownSeconds must be 0..3600, got -1");
    assertThat(problems(s -> s.setShutdownSeconds(3601L))).hasSize(1);
    assertThat(problems(s -> s.setShutdownSeconds(0L))).isEmpty();
    assertThat(problems(s -> s.setShutdownSeconds(3600L))).isEmpty();
  }

  @Test
  void floorBoundsAndFloorBelowSleepPlusShutdown() {
    assertThat(problems(s -> s.setTerminationGracePeriodSeconds(0L))).singleElement().asString()
        .contains("terminationGracePeriodSeconds must be 1..7200");
    assertThat(problems(s -> s.setTerminationGracePeriodSeconds(7201L))).hasSize(1);
    assertThat(problems(s -> s.setTerminationGracePeriodSeconds(29L))).singleElement().asString()
        .contains("(29) must be >= preStop.sleepSeconds + shutdownSeconds (10 + 20 = 30)");
    assertThat(problems(s -> s.setTerminationGracePeriodSeconds(30L))).isEmpty();
    assertThat(problems(s -> {
      s.setShutdownSeconds(null);
      s.setTerminationGracePeriodSeconds(19L);
    })).as("the default shutdown of 10 counts").singleElement().asString().contains("10 + 10 = 20");
  }

  @Test
  void badEnumsNameTheAllowedValuesAndHintAtCase() {
    assertThat(problems(s -> s.getPreStop().setAction("sleep"))).singleElement().asString()
        .isEqualTo("spec.preStop.action must be one of Auto, Sleep, Exec, got 'sleep' (values are case-sensitive)");
    assertThat(problems(s -> s.getPreStop().setAction("Nap"))).singleElement().asString()
        .isEqualTo("spec.preStop.action must be one of Auto, Sleep, Exec, got 'Nap'");
    assertThat(problems(s -> s.setExistingHook("replace"))).singleElement().asString()
        .contains("spec.existingHook must be one of Keep, Replace", "case-sensitive");
    assertThat(problems(s -> s.setMode("Dry"))).singleElement().asString()
        .contains("spec.mode must be one of Enforce, Audit, got 'Dry'").doesNotContain("case");
  }

  @Test
  void priorityBounds() {
    assertThat(problems(s -> s.setPriority(1_000_001L))).hasSize(1);
    assertThat(problems(s -> s.setPriority(-1_000_001L))).hasSize(1);
    assertThat(problems(s -> s.setPriority(1_000_000L))).isEmpty();
  }

  @Test
  void emptyContainerNames() {
    assertThat(problems(s -> s.setContainers(new ArrayList<>(Arrays.asList("app", ""))))).singleElement()
        .asString().contains("spec.containers contains an empty name");
    assertThat(problems(s -> s.setExcludeContainers(new ArrayList<>(Arrays.asList((String) null))))).singleElement()
        .asString().contains("spec.excludeContainers contains an empty name");
  }

  @Test
  void selectorOperatorsAndValues() {
    assertThat(problems(s -> s.setSelector(new LabelSelectorBuilder().addNewMatchExpression().withKey("tier")
        .withOperator("Equals").withValues("web").endMatchExpression().build()))).singleElement().asString()
        .contains("operator must be one of In, NotIn, Exists, DoesNotExist, got Equals");
    assertThat(problems(s -> s.setSelector(new LabelSelectorBuilder().addNewMatchExpression().withKey("tier")
        .withOperator("In").endMatchExpression().build()))).singleElement().asString()
        .contains("operator In needs at least one value");
    assertThat(problems(s -> s.setSelector(new LabelSelectorBuilder().addNewMatchExpression().withKey("tier")
        .withOperator("Exists").withValues("web").endMatchExpression().build()))).singleElement().asString()
        .contains("operator Exists takes no values");
    assertThat(problems(s -> s.setSelector(new LabelSelectorBuilder().addNewMatchExpression()
        .withOperator("Exists").endMatchExpression().build()))).singleElement().asString()
        .contains("an entry without a key");
    assertThat(problems(s -> s.setSelector(new LabelSelectorBuilder().addNewMatchExpression().withKey("tier")
        .withOperator("NotIn").withValues("batch").endMatchExpression().build()))).isEmpty();
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThat(problems(s -> {
      s.getPreStop().setSleepSeconds(0L);
      s.setShutdownSeconds(-1L);
      s.setMode("audit");
    })).hasSize(3);
  }
}
