package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.graceful.operator.api.v1alpha1.DeploymentState;
import io.fabric8.kubernetes.api.model.Namespace;
import io.graceful.operator.api.v1alpha1.ClusterGracefulPolicy;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.core.Change;
import io.graceful.operator.core.GovernedKinds;
import io.graceful.operator.core.GracefulAnnotations;
import io.graceful.operator.core.LabelSelectorMatcher;
import io.graceful.operator.core.NamespaceSelection;
import io.graceful.operator.core.NamespaceView;
import io.graceful.operator.core.Notice;
import io.graceful.operator.core.PlanningContext;
import io.graceful.operator.core.PolicyRef;
import io.graceful.operator.core.PolicySnapshot;
import io.graceful.operator.core.PolicyVerdict;
import io.graceful.operator.core.Workload;
import io.graceful.operator.core.WorkloadPlan;
import io.graceful.operator.core.WorkloadPlanner;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The workload is the unit of reconciliation, one controller per served kind (the subclasses only name it): an
 * event about one workload costs one plan over the policies of its namespace (and the cluster policies, when served),
 * and a policy event is mapped to the workloads of this kind it selects or selected. When cluster policies are
 * served ({@link ClusterPolicyScope}) each controller also watches ClusterGracefulPolicies and Namespaces (a label
 * change re-plans that namespace's workloads of this kind). Reads come from the informer caches; the only requests are the
 * JSON Patch of a change and its Event.
 */
public abstract class WorkloadReconciler<T extends HasMetadata> implements Reconciler<T> {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadReconciler.class);
  private static final java.time.Duration WAIT_RECHECK = java.time.Duration.ofSeconds(10);
  private static final java.time.Duration HALT_RETRY = java.time.Duration.ofSeconds(15);

  private final java.util.function.Supplier<PlanningContext> planning;
  private final KindSupport<T> kind;
  private final WorkloadWriter writer;
  private final EventRecorder events;
  private final DecisionListener listener;
  private final RolloutBudget budget;
  private final PolicyStatusTrigger statusTrigger;
  private final PolicySettling settling;
  private final WriteFailures failures;
  private final Wakeups wakeups;
  private InformerEventSource<GracefulPolicy, T> policies;
  private final ClusterPolicyScope clusterScope;
  /** Null unless cluster policies are served. */
  private InformerEventSource<ClusterGracefulPolicy, T> clusterPolicies;
  /** Null unless cluster policies are served: their namespaceSelector reads the Namespaces' labels. */
  private InformerEventSource<Namespace, T> namespaces;
  private final SimpleInboundEventSource<T> replans = new SimpleInboundEventSource<>("replan-all");
  private volatile IndexerResourceCache<T> workloads;
  /**
   * uid -> resourceVersion the operator wrote over. Until the cache shows a newer version of that workload, a
   * reconciliation would plan from the copy before the write and send it again; the write's own watch event
   * triggers the next reconciliation.
   */
  private final Map<String, String> writtenOver = new java.util.concurrent.ConcurrentHashMap<>();
  /** Wakes workloads of this kind waiting for a rollout slot when one frees (instead of polling them). */
  private final SimpleInboundEventSource<T> slotFreed = new SimpleInboundEventSource<>("rollout-slot-freed");

  /**
   * @param planning the planning context now (what action Auto means can change while the operator runs)
   */
  protected WorkloadReconciler(KindSupport<T> kind, java.util.function.Supplier<PlanningContext> planning,
      WorkloadWriter writer, EventRecorder events, DecisionListener listener, RolloutBudget budget,
      PolicyStatusTrigger statusTrigger, PolicySettling settling, WriteFailures failures, Wakeups wakeups,
      ClusterPolicyScope clusterScope) {
    this.kind = kind;
    this.clusterScope = clusterScope;
    this.wakeups = wakeups;
    this.planning = planning;
    this.writer = writer;
    this.events = events;
    this.listener = listener;
    this.budget = budget;
    this.statusTrigger = statusTrigger;
    this.settling = settling;
    this.failures = failures;
  }

  public KindSupport<T> kind() {
    return kind;
  }

  /** This kind's cache (the only one the operator keeps of it), for the policy status controller. */
  public IndexerResourceCache<T> cache() {
    return workloads;
  }

  @Override
  public List<EventSource<?, T>> prepareEventSources(EventSourceContext<T> context) {
    IndexerResourceCache<T> workloads = context.getPrimaryCache();
    NamespaceIndex.addTo(workloads);
    budget.indexing(kind, workloads);
    this.workloads = workloads;
    wakeups.register(kind.kind(), id -> slotFreed.propagateEvent(id));
    policies = new InformerEventSource<>(InformerEventSourceConfiguration.from(GracefulPolicy.class, kind.type())
        .withName("policies-for-" + kind.kind().plural())
        .withNamespacesInheritedFromController()
        .withSecondaryToPrimaryMapper(policy -> {
          // the cache is updated before handlers run: a policy missing from it was deleted
          settling.seen(policy, policies.get(ResourceID.fromResource(policy)).isEmpty());
          return affectedBy(policy, workloads, kind);
        })
        .build(), context);
    NamespaceIndex.addTo(policies);
    List<EventSource<?, T>> sources = new ArrayList<>(List.of(policies, slotFreed, replans));
    if (clusterScope.served()) {
      namespaces = new InformerEventSource<>(InformerEventSourceConfiguration.from(Namespace.class, kind.type())
          .withName("namespaces-for-" + kind.kind().plural())
          .withNamespacesInheritedFromController()
          // a new namespace has no workloads yet, a deleted one none left: only label changes matter
          .withOnAddFilter(n -> false)
          .withOnDeleteFilter((n, unknown) -> false)
          .withOnUpdateFilter((now, before) -> !Objects.equals(now.getMetadata().getLabels(),
              before.getMetadata().getLabels()))
          .withSecondaryToPrimaryMapper(n -> NamespaceIndex.in(workloads, n.getMetadata().getName()).stream()
              .map(ResourceID::fromResource).collect(Collectors.toSet()))
          .build(), context);
      clusterPolicies = new InformerEventSource<>(InformerEventSourceConfiguration.from(ClusterGracefulPolicy.class,
              kind.type())
          .withName("cluster-policies-for-" + kind.kind().plural())
          .withNamespacesInheritedFromController()
          // spec changes only: each status write would otherwise re-plan every workload it covers, cluster-wide
          .withOnUpdateFilter((now, before) -> !Objects.equals(now.getMetadata().getGeneration(),
              before.getMetadata().getGeneration()))
          .withSecondaryToPrimaryMapper(policy -> {
            boolean deleted = clusterPolicies.get(ResourceID.fromResource(policy)).isEmpty();
            settling.seenCluster(policy.getMetadata().getUid(), policy.getMetadata().getGeneration(), deleted,
                deleted ? Set.of() : selectedNamespaces(policy));
            return affectedBy(policy, workloads, kind, this::namespaceView);
          })
          .build(), context);
      sources.add(namespaces);
      sources.add(clusterPolicies);
    }
    return sources;
  }

  /** What planning knows of a namespace: its cached labels and the operator's own namespace. */
  private NamespaceView namespaceView(String namespace) {
    InformerEventSource<Namespace, T> cache = namespaces;
    Map<String, String> labels = cache == null ? Map.of() : cache.get(new ResourceID(namespace))
        .map(n -> n.getMetadata().getLabels()).orElse(Map.of());
    return new NamespaceView(labels, clusterScope.operatorNamespace());
  }

  /** The cached namespaces a cluster policy selects now. */
  private Set<String> selectedNamespaces(ClusterGracefulPolicy policy) {
    InformerEventSource<Namespace, T> cache = namespaces;
    if (cache == null || policy.getSpec() == null) {
      return Set.of();
    }
    return cache.list().filter(n -> NamespaceSelection.selects(policy.getSpec().getNamespaceSelector(),
        n.getMetadata().getName(), n.getMetadata().getLabels(), clusterScope.operatorNamespace()))
        .map(n -> n.getMetadata().getName()).collect(Collectors.toSet());
  }

  /**
   * A cluster policy event concerns the workloads of this kind, in any namespace, that carry its change or name it
   * ({@code cluster/<name>}), and those it selects in the namespaces it selects.
   */
  static <T extends HasMetadata> Set<ResourceID> affectedBy(ClusterGracefulPolicy policy,
      IndexerResourceCache<T> cache, KindSupport<T> kind, java.util.function.Function<String, NamespaceView> views) {
    String id = PolicyRef.cluster(policy.getMetadata().getName()).annotationValue();
    boolean governs = policy.getSpec() != null && GovernedKinds.governs(policy.getSpec(), kind.kind());
    Map<String, Boolean> selected = new java.util.HashMap<>();
    return cache.list().filter(d -> {
      Map<String, String> a = d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations();
      if (id.equals(a.get(GracefulAnnotations.APPLIED_POLICY)) || id.equals(a.get(GracefulAnnotations.POLICY))) {
        return true;
      }
      if (!governs || !LabelSelectorMatcher.matches(policy.getSpec().getSelector(), d.getMetadata().getLabels())) {
        return false;
      }
      String ns = d.getMetadata().getNamespace();
      return selected.computeIfAbsent(ns, n -> {
        NamespaceView view = views.apply(n);
        return NamespaceSelection.selects(policy.getSpec().getNamespaceSelector(), n, view.labels(),
            view.operatorNamespace());
      });
    }).map(ResourceID::fromResource).collect(Collectors.toSet());
  }

  /**
   * Re-plans every cached workload of this kind: what action Auto means changed (a node with an old kubelet joined,
   * or the last one left). Workloads carrying an operator-written hook of the other action get the new one, each a
   * rollout paced by the rollout budget.
   */
  public void replanAll() {
    IndexerResourceCache<T> cache = workloads;
    if (cache != null) {
      cache.list().forEach(d -> replans.propagateEvent(ResourceID.fromResource(d)));
    }
  }

  /**
   * A policy event concerns the workloads of this kind it selects, names it, or carry its change (to undo). A
   * policy that does not govern the kind still concerns those that name it or carry its change: a kind removed from
   * spec.workloads is reverted, and a name that no longer matches is reported.
   */
  static <T extends HasMetadata> Set<ResourceID> affectedBy(GracefulPolicy policy, IndexerResourceCache<T> cache,
      KindSupport<T> kind) {
    String name = policy.getMetadata().getName();
    String namespace = policy.getMetadata().getNamespace();
    boolean governs = policy.getSpec() != null && GovernedKinds.governs(policy.getSpec(), kind.kind());
    return NamespaceIndex.in(cache, namespace).stream().filter(d -> {
      Map<String, String> a = d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations();
      return name.equals(a.get(GracefulAnnotations.APPLIED_POLICY)) || name.equals(a.get(GracefulAnnotations.POLICY))
          || governs && LabelSelectorMatcher.matches(policy.getSpec().getSelector(), d.getMetadata().getLabels());
    }).map(ResourceID::fromResource).collect(Collectors.toSet());
  }

  @Override
  public UpdateControl<T> reconcile(T deployment, Context<T> context) {
    String ref = deployment.getMetadata().getNamespace() + "/" + deployment.getMetadata().getName();
    // the MDC key is the kind ("deployment", "statefulset", "daemonset"), as the log pattern shows it
    try (MDC.MDCCloseable ignored = MDC.putCloseable(kind.kind().name().toLowerCase(Locale.ROOT), ref)) {
      return decide(deployment, context);
    } finally {
      statusTrigger.namespaceChanged(deployment.getMetadata().getNamespace());
      // not those of a namespace whose policies are settling: they cannot be admitted yet (each reconciles again
      // when its settle ends), and waking them here would wake them, and through them each other, in a busy loop;
      // a slot freed here may go to a waiting workload of another kind
      for (io.graceful.operator.core.WorkloadRef waiting : budget.toWake()) {
        if (waiting.namespace() == null || settling.remaining(waiting.namespace()).isZero()) {
          wakeups.wake(waiting);
        }
      }
    }
  }

  private UpdateControl<T> decide(T deployment, Context<T> context) {
    String uid = deployment.getMetadata().getUid();
    if (context.isPrimaryResourceDeleted() || deployment.getMetadata().getDeletionTimestamp() != null) {
      writtenOver.remove(uid);
      // a deleted workload left waiting would keep its place in the fair order, and a free slot, for good
      budget.notWaiting(deployment, kind.view().apply(deployment));
      return UpdateControl.noUpdate();
    }
    String before = writtenOver.get(uid);
    if (before != null) {
      if (before.equals(deployment.getMetadata().getResourceVersion())) {
        LOG.debug("the cache has not seen the operator's last write yet; waiting for its event");
        return UpdateControl.noUpdate();
      }
      writtenOver.remove(uid, before);
    }
    Workload workload = kind.view().apply(deployment);
    budget.observe(deployment, workload);
    List<PolicySnapshot> inNamespace = new ArrayList<>(NamespaceIndex.in(policies,
        deployment.getMetadata().getNamespace()).stream().map(PolicySnapshots::of).toList());
    NamespaceView view = NamespaceView.UNKNOWN;
    if (clusterPolicies != null) {
      // every cluster policy: the planner keeps those whose namespaceSelector selects this namespace
      clusterPolicies.list().map(PolicySnapshots::of).forEach(inNamespace::add);
      view = namespaceView(deployment.getMetadata().getNamespace());
    }
    // the core sees a kind-neutral view; the object itself stays here, for the write, Events and the budget
    WorkloadPlan plan = WorkloadPlanner.plan(workload, inNamespace, planning.get(), view);
    LOG.debug("planned {} over {} policies: {}", plan.change(), inNamespace.size(), plan.verdicts());
    budget.planned(deployment);
    for (Notice n : plan.notices()) {
      events.decided(deployment, "Warning", n.reason(), n.message());
    }
    listener.planned(plan);
    if (!plan.writes()) {
      failures.cleared(plan.ref());
      budget.notWaiting(deployment, workload);
      report(deployment, plan);
      return UpdateControl.noUpdate();
    }
    java.time.Duration settle = settling.remaining(deployment.getMetadata().getNamespace());
    if (!settle.isZero()) {
      budget.wants(deployment, workload, plan);
      LOG.debug("policies of the namespace changed moments ago; deciding in {} ms", settle.toMillis());
      return UpdateControl.<T>noUpdate().rescheduleAfter(settle.plusMillis(50));
    }
    RolloutBudget.Admission admission = budget.admit(deployment, workload, plan);
    switch (admission) {
      case GO -> {
        try {
          write(deployment, plan);
        } catch (RuntimeException e) {
          budget.writeFailed(deployment, e instanceof KubernetesClientException k ? k.getCode() : 0);
          throw e;
        }
        return UpdateControl.noUpdate();
      }
      case WAIT -> {
        events.decided(deployment, "Normal", "WaitingForRolloutBudget", "waiting for a free rollout slot "
            + "before the operator changes the pod template (" + plan.summary() + ")");
        // woken when a slot frees; the late re-check only guards against a missed wake-up
        return UpdateControl.<T>noUpdate().rescheduleAfter(WAIT_RECHECK);
      }
      default -> {
        events.decided(deployment, "Warning", "RolloutsHalted", "not changed: too many of the operator's "
            + "rollouts failed for policy " + plan.governingPolicy() + "; fix or roll back the failed "
            + "Deployments listed in the policy status to resume");
        return UpdateControl.<T>noUpdate().rescheduleAfter(HALT_RETRY);
      }
    }
  }

  private void write(T deployment, WorkloadPlan plan) {
    try {
      writer.write(deployment, plan);
      writtenOver.put(deployment.getMetadata().getUid(), deployment.getMetadata().getResourceVersion());
    } catch (KubernetesClientException e) {
      // 409/422: the workload changed under us (or a test op failed); JOSDK retries from the fresh cache
      LOG.info("write of {} failed with {}: will retry: {}", plan.change(), e.getCode(), e.getMessage());
      listener.writeFailed(plan, e.getCode());
      failures.failed(plan.ref(), plan.governingPolicy() != null ? plan.governingPolicy()
          : annotation(deployment, GracefulAnnotations.APPLIED_POLICY), e.getCode(),
          e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage());
      throw e;
    }
    failures.cleared(plan.ref());
    LOG.info("{}: {}", plan.change(), plan.summary());
    listener.written(plan);
    switch (plan.change()) {
      case APPLY -> events.changed(deployment, "Normal", "HookApplied", plan.summary());
      case REAPPLY -> events.changed(deployment, "Warning", "HookReapplied", plan.summary());
      case REVERT -> events.changed(deployment, "Normal", "Reverted", plan.summary());
      case FIT -> events.changed(deployment, "Warning", "HookShortened", plan.summary());
      case NONE -> { }
    }
  }

  private static String annotation(HasMetadata d, String key) {
    return d.getMetadata().getAnnotations() == null ? null : d.getMetadata().getAnnotations().get(key);
  }

  private void report(T deployment, WorkloadPlan plan) {
    if (plan.verdicts().isEmpty()) {
      return;
    }
    PolicyVerdict governing = plan.verdicts().get(0);
    if (governing.state() == DeploymentState.Skipped || governing.state() == DeploymentState.Audit
        || governing.state() == DeploymentState.Conflict) {
      String type = governing.state() == DeploymentState.Conflict ? "Warning" : "Normal";
      events.decided(deployment, type, governing.reason(), "policy " + governing.policy() + ": " + governing.message());
    }
    List<PolicyVerdict> losers = plan.verdicts().stream()
        .filter(v -> Objects.equals(v.reason(), "GovernedByOtherPolicy")).toList();
    if (!losers.isEmpty() && plan.change() == Change.NONE) {
      events.decided(deployment, "Normal", "PolicyConflict", "matched by " + (losers.size() + 1) + " policies; "
          + losers.stream().map(v -> "policy " + v.policy() + " does not apply, " + v.message())
              .collect(Collectors.joining("; ")));
    }
  }
}
