package io.graceful.operator.core;

import io.graceful.operator.api.v1alpha1.DrainStatus;
import io.graceful.operator.api.v1alpha1.GracefulPolicyStatus;
import io.graceful.operator.api.v1alpha1.PolicyCondition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Adds what drain measurement found to a policy's status: {@code status.drain} and the condition
 * {@value #SLEEP_SUFFICIENT}. Kept apart from {@link PolicyStatusCalculator} (which knows nothing of it) and combined
 * by the status reconciler only while drain is measured. The numbers are rounded to a tenth of a second and change
 * only when a sample enters or leaves the window, so an unchanged world computes an equal status.
 */
public final class DrainStatusCalculator {
  public static final String SLEEP_SUFFICIENT = "SleepSufficient";
  /** Reason of a listed workload whose pods' preStop hooks fail (kubelet Events FailedPreStopHook). */
  public static final String HOOK_FAILING = "HookFailing";
  /** Reason of a listed workload whose sleep is below its load balancer's reported minimum. */
  public static final String BELOW_LOAD_BALANCER_FLOOR = "BelowLoadBalancerFloor";
  /** Seconds added to the 99th percentile for the recommended sleep. */
  public static final double MARGIN_SECONDS = 2.0;

  private DrainStatusCalculator() {
  }

  /**
   * @param status what {@link PolicyStatusCalculator} just computed (a fresh object): the drain part is filled in
   *     and it is returned
   * @param previous the status the policy has now, for the condition's lastTransitionTime and the tuned sleep
   *     ({@link SleepAutoTuner}: with tune mode Auto the effective sleep follows the recommendation)
   * @param now RFC 3339 time stamped on the condition when it flips, and on status.drain.lastTunedTime when the
   *     tuned sleep changes
   */
  public static GracefulPolicyStatus withDrain(GracefulPolicyStatus status, PolicySnapshot policy,
      DrainStatistics stats, Duration window, int minSamples, GracefulPolicyStatus previous, String now) {
    PolicySettings.Validated validated = PolicySettings.validate(policy.spec());
    DrainStatus drain = new DrainStatus();
    drain.setSamples(stats.samples());
    drain.setP50Seconds(tenths(stats.p50Seconds()));
    drain.setP99Seconds(tenths(stats.p99Seconds()));
    drain.setMaxSeconds(tenths(stats.maxSeconds()));
    drain.setUnsafeTerminations(stats.unsafeTerminations());
    drain.setWindow(describe(window));
    SleepSufficiency verdict;
    if (validated.valid()) {
      PolicySettings settings = validated.settings();
      TuningChoice tuning = tuning(policy.spec().getPreStop() == null ? null : policy.spec().getPreStop().getTune(),
          minSamples);
      SleepRecommendation recommendation = SleepRecommendation.recommend(stats, tuning.tuning(),
          settings.shutdownSeconds(), OptionalLong.empty());
      recommendation.sleepSeconds().ifPresent(drain::setRecommendedSleepSeconds);
      // an invalid tune (reported below) never tunes: its bounds are not the user's
      SleepAutoTuner.Tuned tuned = SleepAutoTuner.tunes(policy.spec()) && tuning.problem() == null
          ? SleepAutoTuner.decide(true, previous == null ? null : previous.getDrain(), settings.sleepSeconds(),
              recommendation, window, java.time.Instant.parse(now))
          : SleepAutoTuner.Tuned.NONE;
      drain.setTunedSleepSeconds(tuned.tunedSleepSeconds());
      drain.setLastTunedTime(tuned.lastTunedTime());
      long effective = tuned.tunedSleepSeconds() != null ? tuned.tunedSleepSeconds() : settings.sleepSeconds();
      verdict = SleepSufficiency.evaluate(stats, effective, minSamples);
      if (recommendation.sleepSeconds().isPresent() && "False".equals(verdict.status())) {
        verdict = new SleepSufficiency(verdict.status(), verdict.reason(), verdict.message() + "; recommended sleep "
            + recommendation.sleepSeconds().getAsLong() + " s (" + recommendation.reason() + ": p99 + "
            + (long) tuning.tuning().marginSeconds() + " s within [" + tuning.tuning().minSeconds() + ", "
            + tuning.tuning().maxSeconds() + "])");
      }
      if (tuning.problem() != null) {
        verdict = new SleepSufficiency(verdict.status(), verdict.reason(), verdict.message() + "; " + tuning.problem());
      }
    } else {
      verdict = new SleepSufficiency("Unknown", "InvalidSpec", "the spec is invalid; no sleep to compare with");
    }
    List<PolicyCondition> previousConditions = previous == null || previous.getConditions() == null ? List.of()
        : previous.getConditions();
    String status1 = verdict.status();
    String since = previousConditions.stream()
        .filter(c -> SLEEP_SUFFICIENT.equals(c.getType()) && status1.equals(c.getStatus())
            && c.getLastTransitionTime() != null)
        .map(PolicyCondition::getLastTransitionTime).findFirst().orElse(now);
    List<PolicyCondition> conditions = new ArrayList<>(status.getConditions());
    conditions.removeIf(c -> SLEEP_SUFFICIENT.equals(c.getType()));
    conditions.add(new PolicyCondition(SLEEP_SUFFICIENT, verdict.status(), verdict.reason(), verdict.message(),
        policy.generation(), since));
    status.setConditions(List.copyOf(conditions));
    status.setDrain(drain);
    return status;
  }

  /**
   * Marks the policy's workloads whose pods' preStop hooks fail ({@link HookFailures}): their entry in
   * {@code status.deployments} keeps its state but gets reason {@value #HOOK_FAILING} and the remedy (a plainly
   * Applied workload is listed for it). The list stays sorted and bounded.
   *
   * @param policyId the policy's {@link PolicySnapshot#id()}
   */
  public static GracefulPolicyStatus withHookFailures(GracefulPolicyStatus status, String policyId,
      List<WorkloadPlan> plans, java.util.Map<WorkloadRef, Integer> failures) {
    if (failures.isEmpty()) {
      return status;
    }
    List<io.graceful.operator.api.v1alpha1.GovernedDeployment> listed = new ArrayList<>(status.getDeployments());
    for (WorkloadPlan plan : plans) {
      Integer count = failures.get(plan.ref());
      java.util.Optional<PolicyVerdict> verdict = plan.verdictFor(policyId);
      if (count == null || verdict.isEmpty()
          || verdict.get().state() == io.graceful.operator.api.v1alpha1.DeploymentState.Conflict
          || verdict.get().state() == io.graceful.operator.api.v1alpha1.DeploymentState.Skipped) {
        continue;
      }
      listed.removeIf(g -> g.getKind().equals(plan.ref().kind().name()) && g.getName().equals(plan.name()));
      listed.add(new io.graceful.operator.api.v1alpha1.GovernedDeployment(plan.ref().kind().name(), plan.name(),
          verdict.get().state(), HOOK_FAILING, HookFailures.message(plan.ref(), count)));
    }
    listed.sort(java.util.Comparator.comparing(io.graceful.operator.api.v1alpha1.GovernedDeployment::getKind)
        .thenComparing(io.graceful.operator.api.v1alpha1.GovernedDeployment::getName));
    status.setDeployments(listed.size() > PolicyStatusCalculator.MAX_LISTED
        ? List.copyOf(listed.subList(0, PolicyStatusCalculator.MAX_LISTED)) : listed);
    return status;
  }

  /**
   * Marks the policy's workloads whose effective sleep (the policy's, tuned or not, or the workload's
   * graceful.io/sleep-seconds) is below the {@link LoadBalancerFloor} of the Services and Ingresses in front of
   * their pods: their entry in {@code status.deployments} keeps its state and gets reason
   * {@value #BELOW_LOAD_BALANCER_FLOOR} with the numbers and the source. Applied before
   * {@link #withHookFailures}, whose reason (a hook that does not run at all) wins.
   *
   * @param workloads the namespace's workloads the plans were made from
   */
  public static GracefulPolicyStatus withLoadBalancerFloors(GracefulPolicyStatus status, PolicySnapshot policy,
      List<WorkloadPlan> plans, List<Workload> workloads, List<LoadBalancerFloor.ServiceView> services,
      List<LoadBalancerFloor.IngressView> ingresses) {
    PolicySettings.Validated validated = policy.settings();
    if (!validated.valid() || services.isEmpty()) {
      return status;
    }
    java.util.Map<WorkloadRef, Workload> byRef = new java.util.HashMap<>();
    workloads.forEach(w -> byRef.put(w.ref(), w));
    List<io.graceful.operator.api.v1alpha1.GovernedDeployment> listed = new ArrayList<>(status.getDeployments());
    boolean changed = false;
    for (WorkloadPlan plan : plans) {
      Workload w = byRef.get(plan.ref());
      java.util.Optional<PolicyVerdict> verdict = plan.verdictFor(policy.id());
      if (w == null || w.template() == null || w.template().getMetadata() == null || verdict.isEmpty()
          || verdict.get().state() == io.graceful.operator.api.v1alpha1.DeploymentState.Conflict
          || verdict.get().state() == io.graceful.operator.api.v1alpha1.DeploymentState.Skipped) {
        continue;
      }
      long sleep = DeploymentOverrides.resolve(w.annotations(), validated.settings()).sleepSeconds();
      java.util.Optional<LoadBalancerFloor> floor = LoadBalancerFloor.forPods(w.template().getMetadata().getLabels(),
          services, ingresses);
      if (floor.isEmpty() || sleep >= floor.get().seconds()) {
        continue;
      }
      listed.removeIf(g -> g.getKind().equals(plan.ref().kind().name()) && g.getName().equals(plan.name()));
      listed.add(new io.graceful.operator.api.v1alpha1.GovernedDeployment(plan.ref().kind().name(), plan.name(),
          verdict.get().state(), BELOW_LOAD_BALANCER_FLOOR, floor.get().below(plan.ref(), sleep)));
      changed = true;
    }
    if (!changed) {
      return status;
    }
    listed.sort(java.util.Comparator.comparing(io.graceful.operator.api.v1alpha1.GovernedDeployment::getKind)
        .thenComparing(io.graceful.operator.api.v1alpha1.GovernedDeployment::getName));
    status.setDeployments(listed.size() > PolicyStatusCalculator.MAX_LISTED
        ? List.copyOf(listed.subList(0, PolicyStatusCalculator.MAX_LISTED)) : listed);
    return status;
  }

  /**
   * The messages of workloads listed {@value #BELOW_LOAD_BALANCER_FLOOR} now that were not before (one Warning Event
   * each, once).
   */
  public static List<String> newlyBelowFloor(GracefulPolicyStatus previous, GracefulPolicyStatus now) {
    java.util.Set<String> before = new java.util.HashSet<>();
    if (previous != null && previous.getDeployments() != null) {
      previous.getDeployments().stream().filter(g -> BELOW_LOAD_BALANCER_FLOOR.equals(g.getReason()))
          .forEach(g -> before.add(g.getKind() + "/" + g.getName()));
    }
    return now.getDeployments() == null ? List.of() : now.getDeployments().stream()
        .filter(g -> BELOW_LOAD_BALANCER_FLOOR.equals(g.getReason()) && !before.contains(g.getKind() + "/" + g.getName()))
        .map(io.graceful.operator.api.v1alpha1.GovernedDeployment::getMessage).toList();
  }

  /** The tuning in use, and why the spec's was not used (null when it was). */
  record TuningChoice(SleepRecommendation.Tuning tuning, String problem) {}

  /**
   * {@code spec.preStop.tune} as a {@link SleepRecommendation.Tuning}; defaults (margin 2 s, [1, 3600]) for what it
   * omits. Values the CRD schema would refuse (a lenient server let them through) are reported, and the defaults
   * used instead: bad input never stops the measurement.
   */
  static TuningChoice tuning(io.graceful.operator.api.v1alpha1.SleepTuning tune, int minSamples) {
    long margin = (long) MARGIN_SECONDS;
    long min = io.graceful.operator.api.v1alpha1.SleepTuning.DEFAULT_MIN_SECONDS;
    long max = io.graceful.operator.api.v1alpha1.SleepTuning.DEFAULT_MAX_SECONDS;
    if (tune == null) {
      return new TuningChoice(new SleepRecommendation.Tuning(margin, min, max, minSamples), null);
    }
    long m = tune.getMarginSeconds() == null ? margin : tune.getMarginSeconds();
    long lo = tune.getMinSeconds() == null ? min : tune.getMinSeconds();
    long hi = tune.getMaxSeconds() == null ? max : tune.getMaxSeconds();
    if (m < 0 || m > 600 || lo < 1 || hi > PolicySettings.MAX_SLEEP || lo > hi
        || (tune.getMode() != null && !tune.getMode().equals("Recommend") && !tune.getMode().equals("Auto"))) {
      return new TuningChoice(new SleepRecommendation.Tuning(margin, min, max, minSamples), "spec.preStop.tune is "
          + "invalid (mode Recommend or Auto, marginSeconds 0..600, 1 <= minSeconds <= maxSeconds <= 3600; got mode "
          + tune.getMode() + ", margin " + m + ", min " + lo + ", max " + hi + "): the defaults are used");
    }
    return new TuningChoice(new SleepRecommendation.Tuning(m, lo, hi, minSamples), null);
  }

  /**
   * How long until tune mode Auto may change the sleep the window holds back now; empty when nothing waits.
   *
   * @param status the status just computed by {@link #withDrain}
   */
  public static java.util.Optional<Duration> tuneWaits(PolicySnapshot policy, GracefulPolicyStatus status,
      Duration window, java.time.Instant now) {
    DrainStatus drain = status.getDrain();
    PolicySettings.Validated validated = PolicySettings.validate(policy.spec());
    if (drain == null || !validated.valid() || !SleepAutoTuner.tunes(policy.spec())) {
      return java.util.Optional.empty();
    }
    SleepRecommendation recommendation = new SleepRecommendation(drain.getRecommendedSleepSeconds() == null
        ? OptionalLong.empty() : OptionalLong.of(drain.getRecommendedSleepSeconds()), "", "");
    return SleepAutoTuner.waiting(true, new SleepAutoTuner.Tuned(drain.getTunedSleepSeconds(),
        drain.getLastTunedTime()), validated.settings().sleepSeconds(), recommendation, window, now);
  }

  /** The condition turned False now (it was not False before): the moment for a Warning Event. */
  public static boolean turnedInsufficient(GracefulPolicyStatus previous, GracefulPolicyStatus now) {
    return "False".equals(statusOf(now)) && !"False".equals(statusOf(previous));
  }

  private static String statusOf(GracefulPolicyStatus s) {
    if (s == null || s.getConditions() == null) {
      return null;
    }
    return s.getConditions().stream().filter(c -> SLEEP_SUFFICIENT.equals(c.getType()))
        .map(PolicyCondition::getStatus).findFirst().orElse(null);
  }

  static double tenths(double seconds) {
    return Math.round(seconds * 10) / 10.0;
  }

  /** 24h, 90m: the window as people write it. */
  static String describe(Duration window) {
    long minutes = window.toMinutes();
    return minutes % 60 == 0 ? minutes / 60 + "h" : minutes + "m";
  }
}
