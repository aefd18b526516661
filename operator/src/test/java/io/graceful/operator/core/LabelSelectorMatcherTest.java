package io.graceful.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorMatcherTest {
  private static final Map<String, String> WEB_PROD = Map.of("tier", "web", "env", "prod");

  private static LabelSelector expr(String key, String op, String... values) {
    return new LabelSelectorBuilder().addNewMatchExpression().withKey(key).withOperator(op).withValues(values)
        .endMatchExpression().build();
  }

  @Test
  void in() {
    assertThat(LabelSelectorMatcher.matches(expr("tier", "In", "web", "api"), WEB_PROD)).isTrue();
    assertThat(LabelSelectorMatcher.matches(expr("tier", "In", "api"), WEB_PROD)).isFalse();
    assertThat(LabelSelectorMatcher.matches(expr("team", "In", "a"), WEB_PROD)).as("missing key").isFalse();
  }

  @Test
  void notIn() {
    assertThat(LabelSelectorMatcher.matches(expr("tier", "NotIn", "api"), WEB_PROD)).isTrue();
    assertThat(LabelSelectorMatcher.matches(expr("tier", "NotIn", "web"), WEB_PROD)).isFalse();
    assertThat(LabelSelectorMatcher.matches(expr("team", "NotIn", "a"), WEB_PROD))
        .as("NotIn matches a missing key, as Kubernetes does").isTrue();
  }

  @Test
  void existsAndDoesNotExist() {
    assertThat(LabelSelectorMatcher.matches(expr("env", "Exists"), WEB_PROD)).isTrue();
    assertThat(LabelSelectorMatcher.matches(expr("team", "Exists"), WEB_PROD)).isFalse();
    assertThat(LabelSelectorMatcher.matches(expr("team", "DoesNotExist"), WEB_PROD)).isTrue();
    assertThat(LabelSelectorMatcher.matches(expr("env", "DoesNotExist"), WEB_PROD)).isFalse();
  }

  @Test
  void matchLabelsAndExpressionsMustAllHold() {
    LabelSelector both = new LabelSelectorBuilder().withMatchLabels(Map.of("tier", "web"))
        .addNewMatchExpression().withKey("env").withOperator("In").withValues("prod").endMatchExpression()
        .addNewMatchExpression().withKey("canary").withOperator("DoesNotExist").endMatchExpression().build();
    assertThat(LabelSelectorMatcher.matches(both, WEB_PROD)).isTrue();
    assertThat(LabelSelectorMatcher.matches(both, Map.of("tier", "web", "env", "dev"))).isFalse();
    assertThat(LabelSelectorMatcher.matches(both, Map.of("tier", "api", "env", "prod"))).isFalse();
    assertThat(LabelSelectorMatcher.matches(both, Map.of("tier", "web", "env", "prod", "canary", ""))).isFalse();
    LabelSelector twoLabels = new LabelSelectorBuilder().withMatchLabels(Map.of("tier", "web", "env", "prod")).build();
    assertThat(LabelSelectorMatcher.matches(twoLabels, WEB_PROD)).isTrue();
    assertThat(LabelSelectorMatcher.matches(twoLabels, Map.of("tier", "web"))).isFalse();
  }

  @Test
  void emptyOrMissingSelectorMatchesNothing() {
    assertThat(LabelSelectorMatcher.matches(null, WEB_PROD)).isFalse();
    assertThat(LabelSelectorMatcher.matches(new LabelSelector(), WEB_PROD)).isFalse();
    assertThat(LabelSelectorMatcher.matches(new LabelSelectorBuilder().withMatchLabels(Map.of()).build(), WEB_PROD))
        .isFalse();
    assertThat(LabelSelectorMatcher.isEmpty(new LabelSelector())).isTrue();
    assertThat(LabelSelectorMatcher.isEmpty(expr("env", "Exists"))).isFalse();
  }

  @Test
  void missingLabelsAreNoLabels() {
    assertThat(LabelSelectorMatcher.matches(expr("env", "DoesNotExist"), null)).isTrue();
    assertThat(LabelSelectorMatcher.matches(expr("env", "Exists"), null)).isFalse();
  }

  @Test
  void unknownOperatorSelectsNothing() {
    assertThat(LabelSelectorMatcher.matches(expr("tier", "Equals", "web"), WEB_PROD)).isFalse();
  }
}
