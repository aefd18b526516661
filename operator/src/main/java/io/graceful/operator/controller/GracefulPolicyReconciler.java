package io.graceful.operator.controller;

import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.api.v1alpha1.GracefulPolicyStatus;
import io.graceful.operator.core.PlanningContext;
import io.graceful.operator.core.PolicyRef;
import io.graceful.operator.core.PolicySnapshot;
import io.graceful.operator.core.PolicyStatusCalculator;
import io.graceful.operator.core.WorkloadPlan;
import io.graceful.operator.core.WorkloadPlanner;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Keeps each policy's status true to the world. It re-plans the workloads (every kind) of the policy's namespace
 * from the workload controllers' caches (the same pure planner, so status and writes always agree) and writes the
 * status only when it differs. Workload changes arrive through {@link PolicyStatusTrigger} and are coalesced per
 * policy by the framework, so a burst of workload changes costs a few status computations, not one each.
 */
@ControllerConfiguration(name = GracefulPolicyReconciler.NAME)
public class GracefulPolicyReconciler implements Reconciler<GracefulPolicy> {
  public static final String NAME = "gracefulpolicies";
  private static final Logger LOG = LoggerFactory.getLogger(GracefulPolicyReconciler.class);

  private final java.util.function.Supplier<PlanningContext> planning;
  private final EventRecorder events;
  private final PolicyStatusListener listener;
  private final Clock clock;
  private volatile IndexerResourceCache<GracefulPolicy> policyCache;
  private final java.util.Map<String, GracefulPolicyStatus> lastWritten = new java.util.concurrent.ConcurrentHashMap<>();

  private final RolloutBudget budget;
  private final WriteFailures failures;
  private final WorkloadCaches workloads;
  private final PolicyStatusTrigger trigger;
  /** Drain samples while drain is measured (GRACEFUL_MEASURE_DRAIN), else null: no drain status at all. */
  private volatile DrainSamples drainSamples;
  private volatile int drainMinSamples;
  private volatile java.util.function.Supplier<java.util.Map<io.graceful.operator.core.WorkloadRef, Integer>>
      hookFailures = java.util.Map::of;
  private final ClusterPolicyCaches clusterPolicies;

  /**
   * @param workloads the workload controllers' caches (read, never a second informer)
   * @param trigger how workload changes reach this controller
   */
  public GracefulPolicyReconciler(java.util.function.Supplier<PlanningContext> planning, EventRecorder events, PolicyStatusListener listener,
      Clock clock, RolloutBudget budget, WorkloadCaches workloads, PolicyStatusTrigger trigger,
      WriteFailures failures, ClusterPolicyCaches clusterPolicies) {
    this.clusterPolicies = clusterPolicies;
    this.failures = failures;
    this.workloads = workloads;
    this.trigger = trigger;
    this.planning = planning;
    this.events = events;
    this.listener = listener;
    this.clock = clock;
    this.budget = budget;
  }

  @Override
  public List<EventSource<?, GracefulPolicy>> prepareEventSources(EventSourceContext<GracefulPolicy> context) {
    IndexerResourceCache<GracefulPolicy> policies = context.getPrimaryCache();
    NamespaceIndex.addTo(policies);
    this.policyCache = policies;
    SimpleInboundEventSource<GracefulPolicy> deploymentChanges = new SimpleInboundEventSource<>("deployment-changes");
    trigger.connect(deploymentChanges, policies);
    // precedence makes a policy's status depend on its neighbours' specs
    InformerEventSource<GracefulPolicy, GracefulPolicy> neighbours = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(GracefulPolicy.class, GracefulPolicy.class)
            .withName("neighbour-policies")
            .withNamespacesInheritedFromController()
            .withOnUpdateFilter((now, before) -> !Objects.equals(now.getMetadata().getGeneration(),
                before.getMetadata().getGeneration()))
            .withSecondaryToPrimaryMapper(p -> everyPolicyIn(p.getMetadata().getNamespace(), policies,
                p.getMetadata().getName()))
            .build(), context);
    return List.of(deploymentChanges, neighbours);
  }

  private static Set<ResourceID> everyPolicyIn(String namespace, IndexerResourceCache<GracefulPolicy> policies,
      String except) {
    return NamespaceIndex.in(policies, namespace).stream().filter(p -> !p.getMetadata().getName().equals(except))
        .map(ResourceID::fromResource).collect(Collectors.toSet());
  }

  @Override
  public UpdateControl<GracefulPolicy> reconcile(GracefulPolicy policy, Context<GracefulPolicy> context) {
    String namespace = policy.getMetadata().getNamespace();
    if (!workloads.synced() || !clusterPolicies.synced()) {
      return UpdateControl.<GracefulPolicy>noUpdate().rescheduleAfter(java.time.Duration.ofSeconds(1));
    }
    try (MDC.MDCCloseable ignored = MDC.putCloseable("policy", namespace + "/" + policy.getMetadata().getName())) {
      // the cluster policies too: one that a workload's annotation names wins over this policy
      List<PolicySnapshot> neighbours = new java.util.ArrayList<>(policiesIn(namespace));
      neighbours.addAll(clusterPolicies.snapshots());
      io.graceful.operator.core.NamespaceView view = clusterPolicies.view(namespace);
      PlanningContext facts = planning.get();
      List<WorkloadPlan> plans = workloads.in(namespace, budget).stream()
          .map(w -> WorkloadPlanner.plan(w, neighbours, facts, view)).toList();
      String time = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
      GracefulPolicyStatus status = PolicyStatusCalculator.compute(PolicySnapshots.of(policy), plans,
          policy.getStatus(), facts.nativeSleep(), time,
          budget.holdsFor(namespace, policy.getMetadata().getName()),
          failures.of(namespace, policy.getMetadata().getName()), workloads.unavailable());
      DrainSamples drain = drainSamples;
      if (drain != null) {
        PolicySnapshot self = PolicySnapshots.of(policy);
        status = io.graceful.operator.core.DrainStatusCalculator.withDrain(status, self,
            drain.statistics(self.ref(), Instant.now(clock)), drain.window(), drainMinSamples, policy.getStatus(),
            time);
        status = io.graceful.operator.core.DrainStatusCalculator.withHookFailures(status, self.id(), plans,
            hookFailures.get());
      }
      LOG.debug("status over {} workloads: matched {} applied {} pending {}", plans.size(), status.getMatched(),
          status.getApplied(), status.getPending());
      PolicyWarnings.report(events, policy, status);
      listener.computed(policy, status);
      listener.counted(policy, PolicyStatusCalculator.countsByKind(PolicySnapshots.of(policy), plans));
      if (!status.equals(policy.getStatus()) && !status.equals(lastWritten.get(policy.getMetadata().getUid()))) {
        if (LOG.isTraceEnabled()) {
          LOG.trace("status changes from {} to {}", context.getClient().getKubernetesSerialization()
              .asJson(policy.getStatus()), context.getClient().getKubernetesSerialization().asJson(status));
        }
        writeStatus(context, policy, status);
        reportDrain(policy, status);
      }
      return UpdateControl.noUpdate();
    }
  }

  /**
   * Replaces the whole status with one JSON Patch {@code add /status}: a diff against the cached copy could be
   * computed from a stale status and land wrongly. The last status written is remembered so that a reconcile
   * running before the cache has caught up does not write the same status again.
   */
  private void writeStatus(Context<GracefulPolicy> context, GracefulPolicy policy, GracefulPolicyStatus status) {
    GracefulPolicy base = new GracefulPolicy();
    // no resourceVersion: the whole status is replaced by its only writer, a stale cache must not cause a 409
    base.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
        .withName(policy.getMetadata().getName()).withNamespace(policy.getMetadata().getNamespace()).build());
    base.setSpec(policy.getSpec());
    context.getClient().resource(base).editStatus(p -> {
      p.setStatus(status);
      return p;
    });
    lastWritten.put(policy.getMetadata().getUid(), status);
  }

  /** A Warning Event on the policy when SleepSufficient turns False, with the numbers. */
  private void reportDrain(GracefulPolicy policy, GracefulPolicyStatus status) {
    if (drainSamples != null
        && io.graceful.operator.core.DrainStatusCalculator.turnedInsufficient(policy.getStatus(), status)) {
      status.getConditions().stream()
          .filter(c -> io.graceful.operator.core.DrainStatusCalculator.SLEEP_SUFFICIENT.equals(c.getType()))
          .findFirst()
          .ifPresent(c -> events.decided(policy, "Warning", "SleepInsufficient", c.getMessage()));
    }
  }

  /**
   * Turns drain measurement on: the status gains {@code drain} and the condition SleepSufficient, computed from
   * these samples, and workloads whose preStop hooks fail are listed as HookFailing. Called once while the operator is assembled, before it starts.
   */
  public void measureDrain(DrainSamples samples, int minSamples,
      java.util.function.Supplier<java.util.Map<io.graceful.operator.core.WorkloadRef, Integer>> hookFailures) {
    this.hookFailures = hookFailures;
    this.drainMinSamples = minSamples;
    this.drainSamples = samples;
  }

  /**
   * The policy that governs a workload now (its plan's winning verdict is Applied, Pending or Audit), from the
   * caches: drain samples of the workload's pods count for it. Empty for a workload no policy governs, one that
   * opted out, or one the operator does not know.
   */
  public java.util.Optional<PolicyRef> governing(io.graceful.operator.core.WorkloadRef ref) {
    IndexerResourceCache<GracefulPolicy> cache = policyCache;
    if (cache == null) {
      return java.util.Optional.empty();
    }
    return workloads.get(ref).flatMap(w -> {
      List<PolicySnapshot> neighbours = NamespaceIndex.in(cache, ref.namespace()).stream()
          .map(PolicySnapshots::of).toList();
      WorkloadPlan plan = WorkloadPlanner.plan(w, neighbours, planning.get());
      return plan.verdicts().stream().findFirst()
          .filter(v -> v.state() != io.graceful.operator.api.v1alpha1.DeploymentState.Skipped
              && v.state() != io.graceful.operator.api.v1alpha1.DeploymentState.Conflict)
          .flatMap(v -> neighbours.stream().filter(p -> p.id().equals(v.policy())).findFirst())
          .map(PolicySnapshot::ref);
    });
  }

  /** The cached policies of a namespace, as planning sees them (empty before the controller starts). */
  public List<PolicySnapshot> policiesIn(String namespace) {
    IndexerResourceCache<GracefulPolicy> cache = policyCache;
    return cache == null ? List.of() : NamespaceIndex.in(cache, namespace).stream().map(PolicySnapshots::of)
        .toList();
  }

  /** Every cached policy (empty before the controller starts). */
  public Set<PolicyRef> existingPolicies() {
    IndexerResourceCache<GracefulPolicy> cache = policyCache;
    return cache == null ? Set.of() : cache.list().map(p -> PolicySnapshots.of(p).ref()).collect(Collectors.toSet());
  }

  /** Observes computed statuses (metrics). */
  public interface PolicyStatusListener {
    PolicyStatusListener NONE = (policy, status) -> { };

    void computed(GracefulPolicy policy, GracefulPolicyStatus status);

    /** The same status counts split by workload kind (every kind the policy governs, zeros included). */
    default void counted(GracefulPolicy policy,
        java.util.Map<io.graceful.operator.core.WorkloadKind, java.util.Map<
            io.graceful.operator.api.v1alpha1.DeploymentState, Integer>> byKind) {
    }
  }
}
