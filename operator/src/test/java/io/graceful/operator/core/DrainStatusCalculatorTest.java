package io.graceful.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.graceful.operator.api.v1alpha1.GracefulPolicyStatus;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import io.graceful.operator.api.v1alpha1.PolicyCondition;
import io.graceful.operator.api.v1alpha1.PreStopSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrainStatusCalculatorTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

  private static PolicySnapshot policy(long sleep) {
    GracefulPolicySpec spec = new GracefulPolicySpec();
    PreStopSpec preStop = new PreStopSpec();
    preStop.setSleepSeconds(sleep);
    spec.setPreStop(preStop);
    return new PolicySnapshot("shop", "web", "2026-01-01T00:00:00Z", 1, spec);
  }

  private static GracefulPolicyStatus base() {
    GracefulPolicyStatus s = new GracefulPolicyStatus();
    s.setConditions(List.of(new PolicyCondition("Ready", "True", "Converged", "ok", 1L, "2026-11-29T09:00:00Z")));
    return s;
  }

  private static DrainStatistics stats(int n, long latencyMs, long hook) {
    List<DrainSample> samples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Instant start = T0.plusSeconds(i);
      samples.add(new DrainSample(start, start.plusMillis(latencyMs), null, hook));
    }
    return DrainStatistics.of(samples);
  }

  private static PolicyCondition sufficient(GracefulPolicyStatus s) {
    return s.getConditions().stream().filter(c -> c.getType().equals("SleepSufficient")).findFirst().orElseThrow();
  }

  @Test
  void unknownUntilEnoughSamplesThenFalseWithTheNumbersAndARecommendation() {
    GracefulPolicyStatus few = DrainStatusCalculator.withDrain(base(), policy(5), stats(3, 8_040, 5),
        Duration.ofHours(24), 10, null, "t1");
    assertThat(sufficient(few).getStatus()).isEqualTo("Unknown");
    assertThat(few.getDrain().getSamples()).isEqualTo(3);
    assertThat(few.getDrain().getRecommendedSleepSeconds()).isNull();
    assertThat(few.getDrain().getWindow()).isEqualTo("24h");
    assertThat(few.getConditions()).extracting(PolicyCondition::getType).containsExactly("Ready", "SleepSufficient");

    GracefulPolicyStatus many = DrainStatusCalculator.withDrain(base(), policy(5), stats(12, 8_040, 5),
        Duration.ofMinutes(90), 10, few, "t2");
    PolicyCondition c = sufficient(many);
    assertThat(c.getStatus()).isEqualTo("False");
    assertThat(c.getReason()).isEqualTo("UnsafeTerminations");
    assertThat(c.getMessage()).contains("sleep 5 s", "p99 8.0 s", "12 unsafe", "recommended sleep 11 s");
    assertThat(c.getLastTransitionTime()).isEqualTo("t2");
    assertThat(many.getDrain().getP99Seconds()).isEqualTo(8.0);
    assertThat(many.getDrain().getRecommendedSleepSeconds()).isEqualTo(11L);
    assertThat(many.getDrain().getWindow()).isEqualTo("90m");
    assertThat(DrainStatusCalculator.turnedInsufficient(few, many)).isTrue();

    // the same world later: an equal status (no write), the transition time kept, no second Event
    GracefulPolicyStatus again = DrainStatusCalculator.withDrain(base(), policy(5), stats(12, 8_040, 5),
        Duration.ofMinutes(90), 10, many, "t3");
    assertThat(again).isEqualTo(many);
    assertThat(DrainStatusCalculator.turnedInsufficient(many, again)).isFalse();
  }

  @Test
  void trueWhenTheDrainFitsInTheSleep() {
    GracefulPolicyStatus s = DrainStatusCalculator.withDrain(base(), policy(10), stats(10, 1_260, 10),
        Duration.ofHours(24), 10, null, "t1");
    assertThat(sufficient(s).getStatus()).isEqualTo("True");
    assertThat(s.getDrain().getP50Seconds()).isEqualTo(1.3);
    assertThat(s.getDrain().getRecommendedSleepSeconds()).isEqualTo(4L);
    assertThat(s.getDrain().getUnsafeTerminations()).isZero();
  }

  @Test
  void workloadsWhoseHooksFailAreListedHookFailingWithTheRemedyKeepingTheirState() {
    WorkloadRef web = WorkloadRef.deployment("shop", "web");
    WorkloadRef api = WorkloadRef.deployment("shop", "api");
    WorkloadRef other = WorkloadRef.deployment("shop", "other");
    java.util.function.BiFunction<WorkloadRef, PolicyVerdict, WorkloadPlan> plan = (ref, v) -> new WorkloadPlan(ref,
        List.of(v), "web", null, Change.NONE, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode(),
        "", List.of());
    List<WorkloadPlan> plans = List.of(
        plan.apply(web, new PolicyVerdict("web", io.graceful.operator.api.v1alpha1.DeploymentState.Applied,
            "Applied", "ok")),
        plan.apply(api, new PolicyVerdict("web", io.graceful.operator.api.v1alpha1.DeploymentState.Audit,
            "Compliant", "audit")),
        plan.apply(other, new PolicyVerdict("web", io.graceful.operator.api.v1alpha1.DeploymentState.Conflict,
            "GovernedByOtherPolicy", "other")));
    GracefulPolicyStatus s = base();
    s.setDeployments(List.of(new io.graceful.operator.api.v1alpha1.GovernedDeployment("Deployment", "api",
        io.graceful.operator.api.v1alpha1.DeploymentState.Audit, "Compliant", "audit")));
    GracefulPolicyStatus out = DrainStatusCalculator.withHookFailures(s, "web", plans,
        java.util.Map.of(web, 2, api, 1, other, 5));
    assertThat(out.getDeployments()).extracting(g -> g.getName() + " " + g.getState() + " " + g.getReason())
        .containsExactly("api Audit HookFailing", "web Applied HookFailing");
    assertThat(out.getDeployments().get(1).getMessage()).startsWith("2 FailedPreStopHook events")
        .contains("preStop action Sleep");
    assertThat(DrainStatusCalculator.withHookFailures(base(), "web", plans, java.util.Map.of()).getDeployments())
        .isEmpty();
  }

  @Test
  void theRecommendationFollowsSpecPreStopTuneAndAnInvalidTuneIsReportedNotObeyed() {
    PolicySnapshot tuned = policy(5);
    io.graceful.operator.api.v1alpha1.SleepTuning tune = new io.graceful.operator.api.v1alpha1.SleepTuning();
    tune.setMode("Recommend");
    tune.setMarginSeconds(5L);
    tune.setMinSeconds(20L);
    tune.setMaxSeconds(60L);
    tuned.spec().getPreStop().setTune(tune);
    GracefulPolicyStatus s = DrainStatusCalculator.withDrain(base(), tuned, stats(12, 8_040, 5),
        Duration.ofHours(24), 10, null, "t1");
    // p99 8.04 + 5 = 13.04 -> 14, raised to the minimum 20
    assertThat(s.getDrain().getRecommendedSleepSeconds()).isEqualTo(20L);
    assertThat(sufficient(s).getMessage()).contains("recommended sleep 20 s (RaisedToMin: p99 + 5 s within [20, 60])");

    tune.setMinSeconds(90L); // min > max: the schema refuses it; a lenient server let it through
    GracefulPolicyStatus bad = DrainStatusCalculator.withDrain(base(), tuned, stats(12, 8_040, 5),
        Duration.ofHours(24), 10, null, "t1");
    assertThat(bad.getDrain().getRecommendedSleepSeconds()).isEqualTo(11L);
    assertThat(sufficient(bad).getMessage()).contains("spec.preStop.tune is invalid", "the defaults are used");
  }

  private static PolicySnapshot auto(long sleep, String policyMode) {
    PolicySnapshot p = policy(sleep);
    io.graceful.operator.api.v1alpha1.SleepTuning tune = new io.graceful.operator.api.v1alpha1.SleepTuning();
    tune.setMode("Auto");
    tune.setMaxSeconds(60L);
    p.spec().getPreStop().setTune(tune);
    p.spec().setMode(policyMode);
    return p;
  }

  @Test
  void tuneModeAutoTunesAfterEnoughSamplesOncePerWindowAndJudgesTheTunedSleep() {
    Duration window = Duration.ofHours(1);
    GracefulPolicyStatus few = DrainStatusCalculator.withDrain(base(), auto(5, null), stats(3, 8_040, 5), window, 10,
        null, "2026-11-29T10:00:00Z");
    assertThat(few.getDrain().getTunedSleepSeconds()).isNull();
    assertThat(few.getDrain().getLastTunedTime()).isNull();

    GracefulPolicyStatus tuned = DrainStatusCalculator.withDrain(base(), auto(5, null), stats(12, 8_040, 5), window,
        10, few, "2026-11-29T10:05:00Z");
    assertThat(tuned.getDrain().getRecommendedSleepSeconds()).isEqualTo(11L);
    assertThat(tuned.getDrain().getTunedSleepSeconds()).isEqualTo(11L);
    assertThat(tuned.getDrain().getLastTunedTime()).isEqualTo("2026-11-29T10:05:00Z");
    // the drain (8.0 s) fits in the tuned sleep; the samples were taken with the old one, which they outlasted
    assertThat(sufficient(tuned).getMessage()).doesNotContain("sleep 5 s is shorter");

    // a longer drain 10 minutes later: the window holds the change back, and says how long
    GracefulPolicyStatus held = DrainStatusCalculator.withDrain(base(), auto(5, null), stats(12, 20_000, 5), window,
        10, tuned, "2026-11-29T10:15:00Z");
    assertThat(held.getDrain().getRecommendedSleepSeconds()).isEqualTo(22L);
    assertThat(held.getDrain().getTunedSleepSeconds()).isEqualTo(11L);
    assertThat(held.getDrain().getLastTunedTime()).isEqualTo("2026-11-29T10:05:00Z");
    assertThat(DrainStatusCalculator.tuneWaits(auto(5, null), held, window, Instant.parse("2026-11-29T10:15:00Z")))
        .contains(Duration.ofMinutes(50));
    GracefulPolicyStatus again = DrainStatusCalculator.withDrain(base(), auto(5, null), stats(12, 20_000, 5), window,
        10, held, "2026-11-29T11:05:00Z");
    assertThat(again.getDrain().getTunedSleepSeconds()).isEqualTo(22L);
    assertThat(again.getDrain().getLastTunedTime()).isEqualTo("2026-11-29T11:05:00Z");
    // unchanged world, equal status
    assertThat(DrainStatusCalculator.withDrain(base(), auto(5, null), stats(12, 20_000, 5), window, 10, again,
        "2026-11-29T11:06:00Z")).isEqualTo(again);
  }

  @Test
  void auditModeAndRecommendModeNeverTune() {
    GracefulPolicyStatus audit = DrainStatusCalculator.withDrain(base(), auto(5, "Audit"), stats(12, 8_040, 5),
        Duration.ofHours(1), 10, null, "2026-11-29T10:05:00Z");
    assertThat(audit.getDrain().getRecommendedSleepSeconds()).isEqualTo(11L);
    assertThat(audit.getDrain().getTunedSleepSeconds()).isNull();
    GracefulPolicyStatus recommend = DrainStatusCalculator.withDrain(base(), policy(5), stats(12, 8_040, 5),
        Duration.ofHours(1), 10, null, "2026-11-29T10:05:00Z");
    assertThat(recommend.getDrain().getTunedSleepSeconds()).isNull();
  }
}
