package io.graceful.operator.runtime;

import io.graceful.operator.api.v1alpha1.DeploymentState;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.api.v1alpha1.GracefulPolicyStatus;
import io.graceful.operator.controller.DecisionListener;
import io.graceful.operator.controller.GracefulPolicyReconciler;
import io.graceful.operator.core.DeploymentPlan;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The product's own Prometheus metrics, next to the framework's ({@code operator_sdk_*}) and the JVM's. Names use
 * the same words as the CRD: policy, state, change.
 *
 * <ul>
 *   <li>{@code graceful_deployments{namespace,policy,state}}: matched Deployments per policy and state (the
 *       policy's status counts: Applied, Pending, Skipped, Audit, Conflict)</li>
 *   <li>{@code graceful_policies_invalid}: policies whose Valid condition is False</li>
 *   <li>{@code graceful_writes_total{change}}: Deployment writes by change (apply, reapply, revert)</li>
 *   <li>{@code graceful_write_failures_total{code}}: Deployment writes the API server refused (then retried)</li>
 *   <li>{@code graceful_conflicts_stopped_total}: reconciliations that found a fight and did not write</li>
 *   <li>{@code graceful_rollouts_in_flight}, {@code graceful_rollouts_waiting}, {@code graceful_rollouts_failed}:
 *       the rollout budget: operator-started rollouts under way, Deployments waiting for a slot, failed ones</li>
 * </ul>
 */
public final class OperatorMetrics implements DecisionListener, GracefulPolicyReconciler.PolicyStatusListener {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, GracefulPolicyStatus> statuses = new ConcurrentHashMap<>();
  private final MultiGauge deployments;
  private final Map<String, Counter> writes = new ConcurrentHashMap<>();
  private volatile Supplier<Set<String>> existingPolicies = Set::of;
  private volatile int invalid;

  public OperatorMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    deployments = MultiGauge.builder("graceful.deployments")
        .description("Deployments matched by a policy, by state").register(registry);
    registry.gauge("graceful.policies.invalid", this, m -> m.invalid);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Gauges of the rollout budget: in flight, waiting, failed. */
  public void rolloutsFrom(io.graceful.operator.controller.RolloutBudget budget) {
    registry.gauge("graceful.rollouts.in.flight", budget, b -> b.inFlightCount());
    registry.gauge("graceful.rollouts.waiting", budget, b -> b.waitingCount());
    registry.gauge("graceful.rollouts.failed", budget, b -> b.failedCount());
  }

  public void writeFailuresFrom(io.graceful.operator.controller.WriteFailures failures) {
    registry.gauge("graceful.deployments.write.failing", failures, f -> f.count());
  }

  /** Which policies exist (namespace/name), so deleted ones leave the gauges. */
  public void policiesFrom(Supplier<Set<String>> existing) {
    this.existingPolicies = existing;
  }

  @Override
  public void written(DeploymentPlan plan) {
    writes.computeIfAbsent(plan.change().name().toLowerCase(java.util.Locale.ROOT),
        change -> Counter.builder("graceful.writes").description("Deployment writes by change")
            .tag("change", change).register(registry)).increment();
  }

  @Override
  public void writeFailed(DeploymentPlan plan, int httpCode) {
    Counter.builder("graceful.write.failures").description("Deployment writes refused by the API server")
        .tag("code", Integer.toString(httpCode)).register(registry).increment();
  }

  @Override
  public void planned(DeploymentPlan plan) {
    if (!plan.verdicts().isEmpty() && "FightingAnotherController".equals(plan.verdicts().get(0).reason())) {
      Counter.builder("graceful.conflicts.stopped")
          .description("Reconciliations that found another writer undoing the change and did not write")
          .register(registry).increment();
    }
  }

  @Override
  public void computed(GracefulPolicy policy, GracefulPolicyStatus status) {
    statuses.put(policy.getMetadata().getNamespace() + "/" + policy.getMetadata().getName(), status);
  }

  /** Prometheus text exposition, with the per-policy gauges refreshed from the latest statuses. */
  public String scrape() {
    Set<String> existing = existingPolicies.get();
    statuses.keySet().retainAll(existing);
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    int invalidNow = 0;
    for (Map.Entry<String, GracefulPolicyStatus> e : statuses.entrySet()) {
      String[] ref = e.getKey().split("/", 2);
      GracefulPolicyStatus s = e.getValue();
      for (DeploymentState state : DeploymentState.values()) {
        rows.add(MultiGauge.Row.of(Tags.of("namespace", ref[0], "policy", ref[1], "state", state.name()),
            count(s, state)));
      }
      if (s.getConditions().stream().anyMatch(c -> "Valid".equals(c.getType()) && "False".equals(c.getStatus()))) {
        invalidNow++;
      }
    }
    invalid = invalidNow;
    deployments.register(rows, true);
    return registry.scrape();
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
