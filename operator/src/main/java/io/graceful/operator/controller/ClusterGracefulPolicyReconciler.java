package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.Namespace;
import io.graceful.operator.api.v1alpha1.ClusterGracefulPolicy;
import io.graceful.operator.api.v1alpha1.DeploymentState;
import io.graceful.operator.api.v1alpha1.GracefulPolicyStatus;
import io.graceful.operator.core.GracefulAnnotations;
import io.graceful.operator.core.NamespaceView;
import io.graceful.operator.core.PlanningContext;
import io.graceful.operator.core.PolicyRef;
import io.graceful.operator.core.PolicySnapshot;
import io.graceful.operator.core.PolicyStatusCalculator;
import io.graceful.operator.core.Workload;
import io.graceful.operator.core.WorkloadKind;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Keeps each ClusterGracefulPolicy's status true to the world, as {@link GracefulPolicyReconciler} does for a
 * namespaced policy, over every namespace: it re-plans the workloads of the namespaces the policy selects (and those
 * elsewhere that name it or carry its change) with the same pure planner, and writes the status only when it
 * differs. Registered only when cluster policies are served ({@link ClusterPolicyScope}).
 */
@ControllerConfiguration(name = ClusterGracefulPolicyReconciler.NAME)
public class ClusterGracefulPolicyReconciler implements Reconciler<ClusterGracefulPolicy> {
  public static final String NAME = "clustergracefulpolicies";
  private static final Logger LOG = LoggerFactory.getLogger(ClusterGracefulPolicyReconciler.class);

  private final Supplier<PlanningContext> planning;
  private final EventRecorder events;
  private final StatusListener listener;
  private final Clock clock;
  private final RolloutBudget budget;
  private final WriteFailures failures;
  private final WorkloadCaches workloads;
  private final PolicyStatusTrigger trigger;
  private final ClusterPolicyScope scope;
  /** The namespaced policies of a namespace (the GracefulPolicy controller's cache). */
  private final Function<String, List<PolicySnapshot>> namespacedPolicies;
  private volatile IndexerResourceCache<ClusterGracefulPolicy> policyCache;
  private volatile InformerEventSource<Namespace, ClusterGracefulPolicy> namespaces;
  private final Map<String, GracefulPolicyStatus> lastWritten = new ConcurrentHashMap<>();

  public ClusterGracefulPolicyReconciler(Supplier<PlanningContext> planning, EventRecorder events,
      StatusListener listener, Clock clock, RolloutBudget budget, WorkloadCaches workloads,
      PolicyStatusTrigger trigger, WriteFailures failures, ClusterPolicyScope scope,
      Function<String, List<PolicySnapshot>> namespacedPolicies) {
    this.planning = planning;
    this.events = events;
    this.listener = listener;
    this.clock = clock;
    this.budget = budget;
    this.workloads = workloads;
    this.trigger = trigger;
    this.failures = failures;
    this.scope = scope;
    this.namespacedPolicies = namespacedPolicies;
  }

  @Override
  public List<EventSource<?, ClusterGracefulPolicy>> prepareEventSources(
      EventSourceContext<ClusterGracefulPolicy> context) {
    IndexerResourceCache<ClusterGracefulPolicy> policies = context.getPrimaryCache();
    this.policyCache = policies;
    SimpleInboundEventSource<ClusterGracefulPolicy> workloadChanges = new SimpleInboundEventSource<>(
        "workload-changes");
    trigger.connectCluster(workloadChanges, policies);
    // a namespace label change moves workloads into or out of every cluster policy's scope; so does a new namespace
    namespaces = new InformerEventSource<>(InformerEventSourceConfiguration.from(Namespace.class,
            ClusterGracefulPolicy.class)
        .withName("namespaces")
        .withNamespacesInheritedFromController()
        .withOnUpdateFilter((now, before) -> !Objects.equals(now.getMetadata().getLabels(),
            before.getMetadata().getLabels()))
        .withSecondaryToPrimaryMapper(n -> policies.list().map(ResourceID::fromResource).collect(Collectors.toSet()))
        .build(), context);
    return List.of(workloadChanges, namespaces);
  }

  @Override
  public UpdateControl<ClusterGracefulPolicy> reconcile(ClusterGracefulPolicy policy,
      Context<ClusterGracefulPolicy> context) {
    if (!workloads.synced()) {
      return UpdateControl.<ClusterGracefulPolicy>noUpdate().rescheduleAfter(java.time.Duration.ofSeconds(1));
    }
    try (MDC.MDCCloseable ignored = MDC.putCloseable("policy", "cluster/" + policy.getMetadata().getName())) {
      PolicySnapshot me = PolicySnapshots.of(policy);
      List<PolicySnapshot> clusterPolicies = snapshots();
      PlanningContext facts = planning.get();
      List<WorkloadPlan> plans = plans(me, clusterPolicies, facts);
      String time = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
      GracefulPolicyStatus status = PolicyStatusCalculator.compute(me, plans, policy.getStatus(),
          facts.nativeSleep(), time, budget.holdsFor(me.ref()), failures.of(me.ref()), workloads.unavailable());
      LOG.debug("status over {} workloads: matched {} applied {} pending {}", plans.size(), status.getMatched(),
          status.getApplied(), status.getPending());
      PolicyWarnings.report(events, policy, status);
      listener.computed(me.ref(), status);
      listener.counted(me.ref(), PolicyStatusCalculator.countsByKind(me, plans));
      if (!status.equals(policy.getStatus()) && !status.equals(lastWritten.get(policy.getMetadata().getUid()))) {
        writeStatus(context, policy, status);
      }
      return UpdateControl.noUpdate();
    }
  }

  /**
   * The plans of the workloads the policy may have a verdict for: every workload of the namespaces it selects, and
   * elsewhere those that name it ({@code graceful.io/policy}) or carry its change ({@code graceful.io/applied-policy}).
   */
  private List<WorkloadPlan> plans(PolicySnapshot me, List<PolicySnapshot> clusterPolicies, PlanningContext facts) {
    String id = me.id();
    List<WorkloadPlan> plans = new ArrayList<>();
    for (Namespace ns : namespaces.list().toList()) {
      String name = ns.getMetadata().getName();
      NamespaceView view = view(name);
      boolean selected = me.inScope(name, view);
      List<Workload> here = workloads.in(name, budget).stream()
          .filter(w -> selected || id.equals(w.annotations().get(GracefulAnnotations.POLICY))
              || id.equals(w.annotations().get(GracefulAnnotations.APPLIED_POLICY))).toList();
      if (here.isEmpty()) {
        continue;
      }
      List<PolicySnapshot> inScope = new ArrayList<>(namespacedPolicies.apply(name));
      inScope.addAll(clusterPolicies);
      for (Workload w : here) {
        plans.add(WorkloadPlanner.plan(w, inScope, facts, view));
      }
    }
    return plans;
  }

  /** Replaces the whole status with one JSON Patch, as {@link GracefulPolicyReconciler} does (and why). */
  private void writeStatus(Context<ClusterGracefulPolicy> context, ClusterGracefulPolicy policy,
      GracefulPolicyStatus status) {
    ClusterGracefulPolicy base = new ClusterGracefulPolicy();
    base.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
        .withName(policy.getMetadata().getName()).build());
    base.setSpec(policy.getSpec());
    context.getClient().resource(base).editStatus(p -> {
      p.setStatus(status);
      return p;
    });
    lastWritten.put(policy.getMetadata().getUid(), status);
  }

  /** Every cached cluster policy, as planning sees them (empty before the controller starts). */
  List<PolicySnapshot> snapshots() {
    IndexerResourceCache<ClusterGracefulPolicy> cache = policyCache;
    return cache == null ? List.of() : cache.list().map(PolicySnapshots::of).toList();
  }

  /** A namespace's cached labels and the operator's namespace. */
  NamespaceView view(String namespace) {
    InformerEventSource<Namespace, ClusterGracefulPolicy> cache = namespaces;
    Map<String, String> labels = cache == null ? Map.of() : cache.get(new ResourceID(namespace))
        .map(n -> n.getMetadata().getLabels()).orElse(Map.of());
    return new NamespaceView(labels, scope.operatorNamespace());
  }

  /** Every cached cluster policy (empty before the controller starts), for the metrics. */
  public Set<PolicyRef> existingPolicies() {
    return snapshots().stream().map(PolicySnapshot::ref).collect(Collectors.toSet());
  }

  /** Observes computed cluster policy statuses (metrics). */
  public interface StatusListener {
    StatusListener NONE = new StatusListener() {
      @Override
      public void computed(PolicyRef policy, GracefulPolicyStatus status) {
      }

      @Override
      public void counted(PolicyRef policy, Map<WorkloadKind, Map<DeploymentState, Integer>> byKind) {
      }
    };

    void computed(PolicyRef policy, GracefulPolicyStatus status);

    /** The same status counts split by workload kind (every kind the policy governs, zeros included). */
    void counted(PolicyRef policy, Map<WorkloadKind, Map<DeploymentState, Integer>> byKind);
  }
}
