package io.graceful.operator.runtime;

import io.graceful.operator.BuildInfo;
import io.graceful.operator.api.v1alpha1.DeploymentState;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.api.v1alpha1.GracefulPolicyStatus;
import io.graceful.operator.controller.DecisionListener;
import io.graceful.operator.controller.GracefulPolicyReconciler;
import io.graceful.operator.core.Change;
import io.graceful.operator.core.PolicyRef;
import io.graceful.operator.core.WorkloadKind;
import io.graceful.operator.core.WorkloadPlan;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The product's own Prometheus metrics, next to the framework's ({@code operator_sdk_*}) and the JVM's. Names use
 * the same words as the CRD: policy, state, change.
 *
 * <ul>
 *   <li>{@code graceful_build_info{version}}: always 1; the version that runs</li>
 *   <li>{@code graceful_leader}: 1 while this process reconciles (the Lease holder, or leader election off), 0 on a
 *       standby and while starting</li>
 *   <li>{@code graceful_deployments{namespace,policy,state}}: matched Deployments per policy and state (the
 *       policy's status counts: Applied, Pending, Skipped, Audit, Conflict); a ClusterGracefulPolicy has
 *       {@code namespace=""} and {@code policy="cluster/<name>"}</li>
 *   <li>{@code graceful_policies_invalid}: policies whose Valid condition is False</li>
 *   <li>{@code graceful_writes_total{change}}: Deployment writes by change (apply, reapply, revert, fit)</li>
 *   <li>{@code graceful_write_failures_total{code}}: Deployment writes the API server refused (then retried)</li>
 *   <li>{@code graceful_conflicts_stopped_total}: reconciliations that found a fight and did not write</li>
 *   <li>{@code graceful_rollouts_in_flight}, {@code graceful_rollouts_waiting}, {@code graceful_rollouts_failed}:
 *       the rollout budget: operator-started rollouts under way, Deployments waiting for a slot, failed ones</li>
 * </ul>
 *
 * <p>Counters exist at 0 from the start (every change, the usual refusal codes, conflicts): {@code rate()} and
 * {@code increase()} need a first sample before the first increment, and an alert on a series that does not exist
 * yet never fires. Every meter has a description, so every family has a {@code # HELP} line.
 */
public final class OperatorMetrics implements DecisionListener, GracefulPolicyReconciler.PolicyStatusListener {
  /**
   * Refusal codes whose {@code graceful_write_failures_total} series exist from the start: 403 (RBAC), 409 (the
   * Deployment changed under the write), 422 (validation, a JSON Patch test that failed). The label is the API
   * server's code, an open set: other codes (404, 429, 5xx, 0 for no answer) appear at their first occurrence
   * rather than pre-creating a series for every code that could ever come back.
   */
  public static final List<Integer> PRE_CREATED_FAILURE_CODES = List.of(403, 409, 422);

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<PolicyRef, GracefulPolicyStatus> statuses = new ConcurrentHashMap<>();
  /** The latest status counts by workload kind, per policy. */
  private final Map<PolicyRef, Map<WorkloadKind, Map<DeploymentState, Integer>>> byKind = new ConcurrentHashMap<>();
  private final MultiGauge deployments;
  private final Map<Change, Map<WorkloadKind, Counter>> writes = new EnumMap<>(Change.class);
  private final Map<WorkloadKind, Counter> conflictsStopped = new EnumMap<>(WorkloadKind.class);
  private volatile Supplier<Set<PolicyRef>> existingPolicies = Set::of;
  private volatile BooleanSupplier leading = () -> false;
  private volatile int invalid;

  /** Metrics of the version {@link BuildInfo#version()}. */
  public OperatorMetrics() {
    this(BuildInfo.version());
  }

  public OperatorMetrics(String version) {
    // before any meter is registered: the framework's meters come without a description (no # HELP otherwise)
    registry.config().meterFilter(DESCRIBE_FRAMEWORK_METERS).meterFilter(LINT_CLEAN_NAMES);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      // process_cpu_seconds_total, the name every Prometheus client uses (Micrometer's counts nanoseconds)
      FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9).baseUnit("seconds")
          .description("CPU time used by the process").register(registry);
    }
    // an info metric of the Prometheus client itself: Micrometer has no info type and would drop the _info suffix
    Info.builder().name("graceful_build_info").help("The running graceful-operator's version; always 1")
        .labelNames("version").register(registry.getPrometheusRegistry()).setLabelValues(version);
    Gauge.builder("graceful.leader", this, m -> m.leading.getAsBoolean() ? 1 : 0)
        .description("1 while this process reconciles (it holds the leader Lease, or leader election is off); "
            + "0 on a standby and while starting")
        .register(registry);
    deployments = MultiGauge.builder("graceful.deployments")
        .description("Workloads matched by a policy, by kind and state (a ClusterGracefulPolicy: namespace \"\", "
            + "policy \"cluster/<name>\")").register(registry);
    Gauge.builder("graceful.policies.invalid", this, m -> m.invalid)
        .description("Policies whose Valid condition is False").register(registry);
    // every kind's series exist from the start, whether or not a policy governs that kind yet
    for (WorkloadKind kind : WorkloadKind.values()) {
      for (Change change : Change.values()) {
        if (change != Change.NONE) {
          writes.computeIfAbsent(change, c -> new EnumMap<>(WorkloadKind.class)).put(kind,
              Counter.builder("graceful.writes").description("Workload writes by change and kind")
                  .tag("change", change.name().toLowerCase(Locale.ROOT)).tag("kind", kind.name())
                  .register(registry));
        }
      }
      PRE_CREATED_FAILURE_CODES.forEach(code -> writeFailures(code, kind));
      conflictsStopped.put(kind, Counter.builder("graceful.conflicts.stopped")
          .description("Reconciliations that found another writer undoing the change and did not write, by kind")
          .tag("kind", kind.name()).register(registry));
    }
  }

  /**
   * Micrometer meters whose names {@code promtool check metrics} rejects: {@code process_cpu_time_ns_total} (an
   * abbreviated unit; replaced by {@code process_cpu_seconds_total}) and {@code system_cpu_count} (a {@code _count}
   * suffix on a gauge; renamed {@code system_cpus}).
   */
  private static final MeterFilter LINT_CLEAN_NAMES = new MeterFilter() {
    @Override
    public MeterFilterReply accept(Meter.Id id) {
      return id.getName().equals("process.cpu.time") ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
      return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
    }
  };

  /**
   * Gives the framework's meters ({@code operator.sdk.*}, registered without a description) one made of their
   * name, so that every family the operator exposes has HELP text; descriptions of meters that have one are kept.
   */
  private static final MeterFilter DESCRIBE_FRAMEWORK_METERS = new MeterFilter() {
    @Override
    public Meter.Id map(Meter.Id id) {
      if (id.getDescription() != null && !id.getDescription().isBlank()) {
        return id;
      }
      String what = id.getName().startsWith("operator.sdk.")
          ? "Java Operator SDK: " + id.getName().substring("operator.sdk.".length()).replace('.', ' ')
          : id.getName().replace('.', ' ');
      return new Meter.Id(id.getName(), Tags.of(id.getTags()), id.getBaseUnit(), what, id.getType());
    }
  };

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Drain latency buckets in seconds: from a fast kube-proxy to a cloud load balancer's deregistration delay. */
  private static final double[] DRAIN_BUCKETS = {0.5, 1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300};

  /**
   * One drain sample of a policy (drain measurement): {@code graceful_drain_seconds} and, when SIGTERM came while
   * the pod was still routed, {@code graceful_unsafe_terminations_total}. Both series of a policy appear with its
   * first sample (the counter at 0 when that sample is safe).
   */
  public void drained(io.graceful.operator.core.PolicyRef policy, io.graceful.operator.core.DrainSample sample) {
    String namespace = policy.namespace() == null ? "" : policy.namespace();
    io.micrometer.core.instrument.DistributionSummary.builder("graceful.drain")
        .baseUnit("seconds")
        .description("Time from a governed pod's termination start until the last EndpointSlice stopped routing "
            + "to it (drain measurement), by policy")
        .serviceLevelObjectives(DRAIN_BUCKETS)
        .tags("namespace", namespace, "policy", policy.name())
        .register(registry)
        .record(sample.latencySeconds());
    Counter unsafe = Counter.builder("graceful.unsafe.terminations")
        .description("Terminations where an EndpointSlice still routed to the pod when its preStop sleep ended "
            + "(SIGTERM reached a pod that could still receive traffic), by policy")
        .tags("namespace", namespace, "policy", policy.name())
        .register(registry);
    if (sample.unsafe()) {
      unsafe.increment();
    }
  }

  /** Gauges of the rollout budget: in flight, waiting, failed. */
  public void rolloutsFrom(io.graceful.operator.controller.RolloutBudget budget) {
    for (WorkloadKind kind : WorkloadKind.values()) {
      Gauge.builder("graceful.rollouts.in.flight", budget, b -> b.inFlightCount(kind))
          .description("Operator-started rollouts under way, by kind").tag("kind", kind.name()).register(registry);
      Gauge.builder("graceful.rollouts.waiting", budget, b -> b.waitingCount(kind))
          .description("Workloads waiting for a rollout slot, by kind").tag("kind", kind.name()).register(registry);
      Gauge.builder("graceful.rollouts.failed", budget, b -> b.failedCount(kind))
          .description("Tracked workloads whose operator-started rollout failed, by kind").tag("kind", kind.name())
          .register(registry);
    }
  }

  public void writeFailuresFrom(io.graceful.operator.controller.WriteFailures failures) {
    for (WorkloadKind kind : WorkloadKind.values()) {
      Gauge.builder("graceful.deployments.write.failing", failures, f -> f.count(kind))
          .description("Workloads whose last write was refused and not yet retried successfully, by kind")
          .tag("kind", kind.name()).register(registry);
    }
  }

  /** Whether this process is the one that reconciles (graceful_leader); until called, it is not. */
  public void leaderFrom(BooleanSupplier leading) {
    this.leading = leading;
  }

  /** Which policies exist, so deleted ones leave the gauges. */
  public void policiesFrom(Supplier<Set<PolicyRef>> existing) {
    this.existingPolicies = existing;
  }

  @Override
  public void written(WorkloadPlan plan) {
    Counter counter = writes.getOrDefault(plan.change(), Map.of()).get(plan.ref().kind());
    if (counter != null) {
      counter.increment();
    }
  }

  @Override
  public void writeFailed(WorkloadPlan plan, int httpCode) {
    writeFailures(httpCode, plan.ref().kind()).increment();
  }

  private Counter writeFailures(int httpCode, WorkloadKind kind) {
    return Counter.builder("graceful.write.failures")
        .description("Workload writes refused by the API server (retried), by HTTP status code and kind")
        .tag("code", Integer.toString(httpCode)).tag("kind", kind.name()).register(registry);
  }

  @Override
  public void planned(WorkloadPlan plan) {
    if (!plan.verdicts().isEmpty() && "FightingAnotherController".equals(plan.verdicts().get(0).reason())) {
      conflictsStopped.get(plan.ref().kind()).increment();
    }
  }

  @Override
  public void computed(GracefulPolicy policy, GracefulPolicyStatus status) {
    computed(PolicyRef.namespaced(policy.getMetadata().getNamespace(), policy.getMetadata().getName()), status);
  }

  @Override
  public void counted(GracefulPolicy policy, Map<WorkloadKind, Map<DeploymentState, Integer>> counts) {
    counted(PolicyRef.namespaced(policy.getMetadata().getNamespace(), policy.getMetadata().getName()), counts);
  }

  /** The latest status of any policy (a ClusterGracefulPolicy's too). */
  public void computed(PolicyRef policy, GracefulPolicyStatus status) {
    statuses.put(policy, status);
  }

  /** The latest status counts of any policy, by workload kind. */
  public void counted(PolicyRef policy, Map<WorkloadKind, Map<DeploymentState, Integer>> counts) {
    byKind.put(policy, Map.copyOf(counts));
  }

  /** Prometheus text exposition, with the per-policy gauges refreshed from the latest statuses. */
  public String scrape() {
    refresh();
    return registry.scrape();
  }

  /** The registry /metrics serves; call {@link #refresh()} before each scrape. */
  public PrometheusRegistry prometheusRegistry() {
    return registry.getPrometheusRegistry();
  }

  /** Brings the per-policy gauges up to date with the latest statuses (deleted policies leave). */
  public void refresh() {
    Set<PolicyRef> existing = existingPolicies.get();
    statuses.keySet().retainAll(existing);
    byKind.keySet().retainAll(existing);
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    int invalidNow = 0;
    for (Map.Entry<PolicyRef, GracefulPolicyStatus> e : statuses.entrySet()) {
      PolicyRef ref = e.getKey();
      GracefulPolicyStatus s = e.getValue();
      Map<WorkloadKind, Map<DeploymentState, Integer>> kinds = byKind.get(ref);
      if (kinds == null) {
        // counts not split yet: they are all Deployments' (the default spec.workloads)
        kinds = Map.of(WorkloadKind.Deployment, countsOf(s));
      }
      kinds.forEach((kind, counts) -> counts.forEach((state, n) -> rows.add(MultiGauge.Row.of(Tags.of(
          // a cluster policy: namespace "" and policy "cluster/<name>", as graceful.io/policy names it
          "namespace", ref.isCluster() ? "" : ref.namespace(), "policy", ref.annotationValue(), "kind", kind.name(),
          "state", state.name()), n))));
      if (s.getConditions().stream().anyMatch(c -> "Valid".equals(c.getType()) && "False".equals(c.getStatus()))) {
        invalidNow++;
      }
    }
    invalid = invalidNow;
    deployments.register(rows, true);
  }

  private static Map<DeploymentState, Integer> countsOf(GracefulPolicyStatus s) {
    Map<DeploymentState, Integer> out = new EnumMap<>(DeploymentState.class);
    for (DeploymentState state : DeploymentState.values()) {
      out.put(state, count(s, state));
    }
    return out;
  }

  private static int count(GracefulPolicyStatus s, DeploymentState state) {
    Integer n = switch (state) {
      case Applied -> s.getApplied();
      case Pending -> s.getPending();
      case Skipped -> s.getSkipped();
      case Audit -> s.getAudit();
      case Conflict -> s.getConflicts();
    };
    return n == null ? 0 : n;
  }
}
