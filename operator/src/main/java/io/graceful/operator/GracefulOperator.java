package io.graceful.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.controller.ClusterGracefulPolicyReconciler;
import io.graceful.operator.controller.ClusterPolicyCaches;
import io.graceful.operator.controller.ClusterPolicyScope;
import io.graceful.operator.controller.DecisionListener;
import io.graceful.operator.controller.DaemonSetReconciler;
import io.graceful.operator.controller.DeploymentReconciler;
import io.graceful.operator.controller.KindSupport;
import io.graceful.operator.controller.PrunedStore;
import io.graceful.operator.controller.RolloutReconciler;
import io.graceful.operator.controller.StatefulSetReconciler;
import io.graceful.operator.controller.Wakeups;
import io.graceful.operator.controller.WorkloadCaches;
import io.graceful.operator.controller.WorkloadFilters;
import io.graceful.operator.controller.WorkloadReconciler;
import io.graceful.operator.controller.WorkloadWriter;
import io.graceful.operator.controller.EventRecorder;
import io.graceful.operator.controller.GracefulPolicyReconciler;
import io.graceful.operator.controller.PolicySettling;
import io.graceful.operator.controller.PolicyStatusTrigger;
import io.graceful.operator.controller.RetryForever;
import io.graceful.operator.controller.RolloutBudget;
import io.graceful.operator.controller.WriteFailures;
import io.graceful.operator.core.PlanningContext;
import io.graceful.operator.runtime.NativeSleepDetector;
import io.graceful.operator.runtime.Preflight;
import io.graceful.operator.runtime.StartFailedException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.health.Status;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.graceful.operator.runtime.LeaseRelease;
import io.graceful.operator.runtime.OperatorMetrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator assembled: a controller per workload kind and the policy status controller, over one client.
 * {@link #start} returns when the informer caches are synced (or, with leader election, once the process is a
 * candidate). The client is the caller's to close.
 */
public final class GracefulOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GracefulOperator.class);

  private final Operator operator;
  private final OperatorConfig config;
  private final KubernetesClient client;
  private final OperatorMetrics metrics;
  private final AtomicBoolean stopping;
  private final AtomicBoolean leading;
  /** Why the running operator failed for good (an informer stopped with an error); null while it is fine. */
  private final AtomicReference<String> failure;
  private final NativeSleepDetector nativeSleep;
  private final ArgoRollouts rollouts;
  /** Drain measurement's informers, while GRACEFUL_MEASURE_DRAIN is on. */
  private Optional<io.graceful.operator.controller.DrainWatch> drain = Optional.empty();
  /** Whether cluster policies are served, as decided at start-up (the admission webhook plans with them too). */
  private ClusterPolicyScope clusterScope = ClusterPolicyScope.OFF;
  /** How long start-up waits for the node list before the API server version decides (meanwhile). */
  private static final java.time.Duration NODE_SYNC_TIMEOUT = java.time.Duration.ofSeconds(30);

  private GracefulOperator(Operator operator, OperatorConfig config, KubernetesClient client, OperatorMetrics metrics,
      AtomicBoolean stopping, AtomicBoolean leading, AtomicReference<String> failure,
      NativeSleepDetector nativeSleep, ArgoRollouts rollouts) {
    this.nativeSleep = nativeSleep;
    this.rollouts = rollouts;
    this.operator = operator;
    this.config = config;
    this.client = client;
    this.metrics = metrics;
    this.stopping = stopping;
    this.leading = leading;
    this.failure = failure;
  }

  public static GracefulOperator start(KubernetesClient client, OperatorConfig config) {
    return start(client, config, DecisionListener.NONE, GracefulPolicyReconciler.PolicyStatusListener.NONE);
  }

  /** Starts with extra observers (benchmarks and tests count decisions through them). */
  public static GracefulOperator start(KubernetesClient client, OperatorConfig config, DecisionListener decisions,
      GracefulPolicyReconciler.PolicyStatusListener statuses) {
    return start(client, config, decisions, statuses, reason -> { });
  }

  /**
   * Checks what start-up needs ({@link Preflight}: API server, CRD, permissions), then starts the controllers and
   * returns when their caches are synced (with leader election: once the process is a candidate).
   *
   * @param onFailure told, once, when the running operator fails for good (an informer stopped with an error):
   *     {@link #isLive()} turns false at the same moment; {@code Main} exits with 1
   * @throws StartFailedException saying what is wrong and what to do
   */
  public static GracefulOperator start(KubernetesClient client, OperatorConfig config, DecisionListener decisions,
      GracefulPolicyReconciler.PolicyStatusListener statuses, Consumer<String> onFailure) {
    return start(client, config, decisions, statuses, onFailure, new OperatorMetrics());
  }

  /**
   * The same, recording into {@code metrics}: {@code Main} creates them before start-up so that /metrics answers
   * (version, leader 0) while the caches sync.
   */
  public static GracefulOperator start(KubernetesClient client, OperatorConfig config, DecisionListener decisions,
      GracefulPolicyReconciler.PolicyStatusListener statuses, Consumer<String> onFailure, OperatorMetrics metrics) {
    Preflight.check(client, config.watchNamespaces());
    ClusterPolicyScope clusterScope = Preflight.clusterPoliciesServed(client, config.watchNamespaces())
        ? ClusterPolicyScope.served(operatorNamespace(config)) : ClusterPolicyScope.OFF;
    Assembly assembly = assemble(client, config, decisions, statuses, onFailure, metrics, clusterScope);
    LOG.info("starting the controllers; waiting for the informer caches to sync (at most {}s)",
        config.startTimeout().toSeconds());
    try {
      assembly.operator().start();
    } catch (RuntimeException e) {
      throw startFailure(client, config.startTimeout(), e);
    }
    // Argo Rollouts: served now if the CRD is there (and this process leads), then checked every few seconds
    assembly.rollouts().check();
    assembly.rollouts().start();
    assembly.drain().ifPresent(io.graceful.operator.controller.DrainWatch::start);
    LOG.info("graceful-operator started ({} namespaces)", config.watchNamespaces().isEmpty() ? "all"
        : config.watchNamespaces().size());
    GracefulOperator started = new GracefulOperator(assembly.operator(), config, client, assembly.metrics(),
        assembly.stopping(), assembly.leading(), assembly.failure(), assembly.nativeSleep(), assembly.rollouts());
    started.drain = assembly.drain();
    started.clusterScope = clusterScope;
    return started;
  }

  /** The operator wired but not started; the policy reconciler is exposed for the start-up race test. */
  record Assembly(Operator operator, RegisteredController<Deployment> deploymentController,
      GracefulPolicyReconciler policies, OperatorMetrics metrics,
      AtomicBoolean stopping, AtomicBoolean leading, AtomicReference<String> failure,
      NativeSleepDetector nativeSleep, ArgoRollouts rollouts,
      Optional<io.graceful.operator.controller.DrainWatch> drain) {}

  static Assembly assemble(KubernetesClient client, OperatorConfig config, DecisionListener decisions,
      GracefulPolicyReconciler.PolicyStatusListener statuses, Consumer<String> onFailure) {
    return assemble(client, config, decisions, statuses, onFailure, new OperatorMetrics(), ClusterPolicyScope.OFF);
  }

  /**
   * The operator's own namespace, which cluster policies select only by name: POD_NAMESPACE, which is also where
   * the Lease lives unless GRACEFUL_LEASE_NAMESPACE moves it ({@link OperatorConfig#leaseNamespace()} defaults to it).
   */
  private static String operatorNamespace(OperatorConfig config) {
    return config.leaseNamespace();
  }

  static Assembly assemble(KubernetesClient client, OperatorConfig config, DecisionListener decisions,
      GracefulPolicyReconciler.PolicyStatusListener statuses, Consumer<String> onFailure, OperatorMetrics metrics,
      ClusterPolicyScope clusterScope) {
    NativeSleepDetector nativeSleep = NativeSleepDetector.start(client, config.nativeSleep(), NODE_SYNC_TIMEOUT);
    java.util.function.Supplier<PlanningContext> planning =
        () -> new PlanningContext(nativeSleep.current(), config.maxReapplies(), java.time.Instant.now());
    EventRecorder events = new EventRecorder(client, config.identity());
    DecisionListener allDecisions = DecisionListener.both(metrics, decisions);
    GracefulPolicyReconciler.PolicyStatusListener allStatuses = new GracefulPolicyReconciler.PolicyStatusListener() {
      @Override
      public void computed(io.graceful.operator.api.v1alpha1.GracefulPolicy policy,
          io.graceful.operator.api.v1alpha1.GracefulPolicyStatus status) {
        metrics.computed(policy, status);
        statuses.computed(policy, status);
      }

      @Override
      public void counted(io.graceful.operator.api.v1alpha1.GracefulPolicy policy,
          Map<io.graceful.operator.core.WorkloadKind, Map<io.graceful.operator.api.v1alpha1.DeploymentState,
              Integer>> byKind) {
        metrics.counted(policy, byKind);
        statuses.counted(policy, byKind);
      }
    };
    AtomicBoolean stopping = new AtomicBoolean();
    AtomicBoolean leading = new AtomicBoolean(!config.leaderElection());
    metrics.leaderFrom(leading::get);
    AtomicReference<String> failure = new AtomicReference<>();

    Operator operator = new Operator(o -> {
      common(o, client, config)
          // the framework's default calls System.exit(1) from an informer thread; instead: /healthz turns 503, the
          // caller decides (Main exits with 1)
          .withInformerStoppedHandler((informer, error) -> {
            if (error != null && informer.hasSynced() && !stopping.get()) {
              String reason = "the " + informer.getApiTypeClass().getSimpleName() + " informer stopped: "
                  + Preflight.rootCause(error);
              if (failure.compareAndSet(null, reason)) {
                LOG.error("{}; the operator no longer sees changes", reason, error);
                onFailure.accept(reason);
              }
            }
          })
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(metrics.registry()));
      if (config.leaderElection()) {
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(config.leaseName(),
            config.leaseNamespace(), LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
            LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
            LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, config.identity(),
            new LeaderCallbacks(() -> {
              leading.set(true);
              LOG.info("became leader ({}); reconciling", config.identity());
            }, () -> {
              leading.set(false);
              if (!stopping.get()) {
                // another replica may be writing already: stop at once, the pod restarts as a follower
                LOG.error("lost the leader Lease; exiting with 1 so that only the leader writes");
                // halt, not exit: the graceful SIGTERM path must not run (it would report success)
                Runtime.getRuntime().halt(1);
              }
            }, leader -> LOG.info("leader is {}", leader)), false));
      }
    });
    RolloutBudget budget = new RolloutBudget(config.maxConcurrentRollouts(),
        config.maxConcurrentRolloutsPerNamespace(), config.rolloutFailureThreshold(), System::nanoTime,
        KindSupport.SERVED.stream().map(KindSupport::kind).collect(java.util.stream.Collectors.toSet()));
    metrics.rolloutsFrom(budget);
    PolicyStatusTrigger statusTrigger = new PolicyStatusTrigger();
    WriteFailures writeFailures = new WriteFailures();
    metrics.writeFailuresFrom(writeFailures);
    // one settle and one wake-up routing for every kind: a policy change holds all of a namespace's writes, and a
    // slot freed by one kind may go to another
    PolicySettling settling = new PolicySettling(config.policySettle(), System::nanoTime);
    Wakeups wakeups = new Wakeups();
    WorkloadWriter writer = new WorkloadWriter(client);
    WorkloadCaches caches = new WorkloadCaches();
    List<WorkloadReconciler<?>> workloadReconcilers = List.of(
        new DeploymentReconciler(planning, writer, events, allDecisions, budget, statusTrigger, settling,
            writeFailures, wakeups, clusterScope),
        new StatefulSetReconciler(planning, writer, events, allDecisions, budget, statusTrigger, settling,
            writeFailures, wakeups, clusterScope),
        new DaemonSetReconciler(planning, writer, events, allDecisions, budget, statusTrigger, settling,
            writeFailures, wakeups, clusterScope));
    RegisteredController<Deployment> deploymentController = null;
    for (WorkloadReconciler<?> reconciler : workloadReconcilers) {
      RegisteredController<?> registered = registerWorkloads(operator, reconciler, config, budget, caches);
      if (reconciler instanceof DeploymentReconciler) {
        @SuppressWarnings("unchecked")
        RegisteredController<Deployment> d = (RegisteredController<Deployment>) registered;
        deploymentController = d;
      }
    }
    ClusterPolicyCaches clusterCaches = new ClusterPolicyCaches();
    GracefulPolicyReconciler policies = new GracefulPolicyReconciler(planning, events, allStatuses,
        Clock.systemUTC(), budget, caches, statusTrigger, writeFailures, clusterCaches);
    metrics.policiesFrom(policies::existingPolicies);
    io.graceful.operator.controller.DrainWatch drain = null;
    if (config.drain().enabled()) {
      io.graceful.operator.controller.DrainSamples samples =
          new io.graceful.operator.controller.DrainSamples(config.drain().window());
      drain = new io.graceful.operator.controller.DrainWatch(client, config.watchNamespaces(), policies::governing,
          samples, statusTrigger, metrics::drained, Clock.systemUTC(), caches::resource, events);
      policies.measureDrain(samples, config.drain().minSamples(), drain::hookFailures, drain::routes);
    }
    operator.register(policies, scope(config.watchNamespaces(), config.retryMaxDelay(), o -> { }));
    if (clusterScope.served()) {
      ClusterGracefulPolicyReconciler clusterPolicies = new ClusterGracefulPolicyReconciler(planning, events,
          new ClusterGracefulPolicyReconciler.StatusListener() {
            @Override
            public void computed(io.graceful.operator.core.PolicyRef policy,
                io.graceful.operator.api.v1alpha1.GracefulPolicyStatus status) {
              metrics.computed(policy, status);
            }

            @Override
            public void counted(io.graceful.operator.core.PolicyRef policy,
                Map<io.graceful.operator.core.WorkloadKind, Map<io.graceful.operator.api.v1alpha1.DeploymentState,
                    Integer>> byKind) {
              metrics.counted(policy, byKind);
            }
          }, Clock.systemUTC(), budget, caches, statusTrigger, writeFailures, clusterScope, policies::policiesIn);
      RegisteredController<?> registered = operator.register(clusterPolicies,
          scope(config.watchNamespaces(), config.retryMaxDelay(), o -> { }));
      clusterCaches.connect(clusterPolicies, () -> synced(registered));
      metrics.policiesFrom(() -> {
        Set<io.graceful.operator.core.PolicyRef> all = new java.util.HashSet<>(policies.existingPolicies());
        all.addAll(clusterPolicies.existingPolicies());
        return all;
      });
    } else {
      metrics.policiesFrom(policies::existingPolicies);
    }
    // a framework instance of its own, started and stopped as the CRD comes and goes
    ArgoRollouts rollouts = new ArgoRollouts(client, config, () -> new RolloutReconciler(planning, writer, events,
        allDecisions, budget, statusTrigger, settling, writeFailures, wakeups, clusterScope), budget, caches, wakeups,
        statusTrigger, leading::get);
    nativeSleep.onChange((before, after) -> {
      if (after.plansDifferFrom(before)) {
        // a native sleep on a kubelet that cannot run it is silently ignored: switching is the safe choice
        workloadReconcilers.forEach(WorkloadReconciler::replanAll);
        rollouts.replanAll();
      }
      statusTrigger.allChanged();
    });
    return new Assembly(operator, deploymentController, policies, metrics, stopping, leading, failure, nativeSleep,
        rollouts, Optional.ofNullable(drain));
  }

  /** The framework settings every instance shares (this one and the Argo Rollouts one, {@link ArgoRollouts}). */
  static io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider common(
      io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider o, KubernetesClient client,
      OperatorConfig config) {
    return o.withKubernetesClient(client)
        .withCloseClientOnStop(false)
        .checkingCRDAndValidateLocalModel(false)
        // the operator writes status with JSON Patch itself; no server-side apply anywhere (rule R5, docs/rules.md)
        .withUseSSAToPatchPrimaryResource(false)
        .withConcurrentReconciliationThreads(config.reconcileThreads())
        .withReconciliationTerminationTimeout(config.shutdownTimeout())
        // an informer that cannot list or watch fails start-up (instead of retrying forever) within the timeout
        .withStopOnInformerErrorDuringStartup(true)
        .withCacheSyncTimeout(config.startTimeout());
  }

  /**
   * Registers one workload kind's controller (pruned cache, update filter) and hands its cache to the status
   * controller through a gate. The controllers start in parallel: the policy reconciler may run before a workload
   * controller's event sources exist (their caches are created when they start); it only ever sees a cache once
   * every informer of that controller is running and synced.
   */
  static <T extends io.fabric8.kubernetes.api.model.HasMetadata> RegisteredController<T> registerWorkloads(
      Operator operator, WorkloadReconciler<T> reconciler, OperatorConfig config, RolloutBudget budget,
      WorkloadCaches caches) {
    KindSupport<T> kind = reconciler.kind();
    RegisteredController<T> controller = operator.register(reconciler,
        GracefulOperator.<T>scope(config.watchNamespaces(), config.retryMaxDelay(), o -> {
          o.withOnUpdateFilter(WorkloadFilters.relevantUpdate(kind, budget));
          if (singleInformer(config)) {
            o.withItemStore(new PrunedStore<>(kind.prune()));
          }
        }));
    caches.add(reconciler, () -> reconciler.cache() != null && running(reconciler.cache()) && synced(controller));
    return controller;
  }

  /**
   * Every Deployment and policy is re-planned at least this often even without events (a write that failed in a
   * way nobody retried, an event lost across a watch gap). Planning is cheap (README "Benchmarks"); an unchanged
   * world still gets no write.
   */
  public static final java.time.Duration RESYNC = java.time.Duration.ofMinutes(10);

  /** Items per page of an informer's initial list. */
  static final long LIST_PAGE = 500;

  /** A failed framework start, as a message naming the cause (a denied watch, a resource the server lacks...). */
  private static StartFailedException startFailure(KubernetesClient client, java.time.Duration timeout,
      RuntimeException e) {
    String url = Preflight.apiServer(client);
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() > 0) {
        return Preflight.failed(client, url, "start the informers (list and watch)", k);
      }
      if (t instanceof java.util.concurrent.TimeoutException) {
        return new StartFailedException("the informer caches did not sync from the API server at " + url
            + " within GRACEFUL_START_TIMEOUT_SECONDS (" + timeout.toSeconds() + "s)", e);
      }
    }
    return new StartFailedException("could not start the controllers against the API server at " + url + ": "
        + Preflight.rootCause(e), e);
  }

  /** The event source has started: its informers (and so its cache) exist. Unknown kinds count as not started. */
  static boolean running(Object eventSource) {
    return eventSource instanceof AbstractEventSource<?, ?> source && source.isRunning();
  }

  /**
   * Every informer of the controller has listed its whole scope. False, never an exception, while the controller
   * has not started: an event source's informers exist only once it runs.
   */
  static boolean synced(RegisteredController<?> controller) {
    for (InformerWrappingEventSourceHealthIndicator<?> source
        : controller.getControllerHealthInfo().informerEventSourceHealthIndicators().values()) {
      if (!running(source)) {
        return false;
      }
      for (InformerHealthIndicator informer : source.informerHealthIndicators().values()) {
        if (!informer.hasSynced()) {
          return false;
        }
      }
    }
    return true;
  }

  /** One informer per event source (all namespaces, or one): a pruning store may only serve a single informer. */
  public static boolean singleInformer(OperatorConfig config) {
    return config.watchNamespaces().size() <= 1;
  }

  static <R extends io.fabric8.kubernetes.api.model.HasMetadata> Consumer<ControllerConfigurationOverrider<R>>
      scope(Set<String> namespaces, java.time.Duration retryCap, Consumer<ControllerConfigurationOverrider<R>> more) {
    return o -> {
      if (namespaces.isEmpty()) {
        o.watchingAllNamespaces();
      } else {
        o.settingNamespaces(namespaces);
      }
      // never give up after errors, and re-plan everything now and then in case an event was missed
      o.withRetry(new RetryForever(retryCap, () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble()));
      o.withReconciliationMaxInterval(RESYNC);
      // the first list of a large cluster in pages: unpaged, 100,000 Deployments arrive as one response, held
      // whole (with managedFields) before the cache trims them (BENCHMARKS.md: 100,000 did not fit 512 MiB)
      o.withInformerListLimit(LIST_PAGE);
      more.accept(o);
    };
  }

  /**
   * Liveness: false once the operator failed (an informer stopped for good) or stopped; otherwise a follower is
   * alive while it waits for the Lease, a leader while every informer is running and healthy.
   */
  public boolean isLive() {
    return liveProblem().isEmpty();
  }

  /** Why the operator is not live, for /healthz; empty when it is. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Optional<String> liveProblem() {
    String failed = failure.get();
    if (failed != null) {
      return Optional.of("failed: " + failed);
    }
    if (!operator.getRuntimeInfo().isStarted()) {
      return Optional.of("stopped");
    }
    if (!leading.get()) {
      return Optional.empty();
    }
    List<String> unhealthy = new ArrayList<>();
    for (RegisteredController<?> controller : registered()) {
      Map<String, InformerWrappingEventSourceHealthIndicator> sources =
          controller.getControllerHealthInfo().informerEventSourceHealthIndicators();
      sources.forEach((name, source) -> {
        if (!running(source) || ((Map<String, InformerHealthIndicator>) source.informerHealthIndicators()).values()
            .stream().anyMatch(i -> i.getStatus() != Status.HEALTHY)) {
          unhealthy.add(controller.getConfiguration().getName() + "/" + name);
        }
      });
    }
    return unhealthy.isEmpty() ? Optional.empty() : Optional.of("informers unhealthy: " + String.join(", ",
        unhealthy));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Set<RegisteredController<?>> registered() {
    return (Set) operator.getRegisteredControllers();
  }

  /** Readiness: started, not shutting down, and (as leader) informers synced and healthy. */
  public boolean isReady() {
    return !stopping.get() && operator.getRuntimeInfo().isStarted() && isLive();
  }

  public boolean isLeader() {
    return leading.get();
  }

  public OperatorMetrics metrics() {
    return metrics;
  }

  /** Whether ClusterGracefulPolicies are served (decided at start-up). */
  public ClusterPolicyScope clusterScope() {
    return clusterScope;
  }

  /** What action Auto means now, and why. */
  public io.graceful.operator.core.NativeSleepDecision nativeSleep() {
    return nativeSleep.current();
  }

  public OperatorConfig config() {
    return config;
  }

  /**
   * Stops taking new work, lets in-flight reconciliations finish within the configured timeout, and hands the
   * leader Lease back. The client stays open (it is the caller's).
   */
  @Override
  public void close() {
    stopping.set(true);
    rollouts.close();
    drain.ifPresent(io.graceful.operator.controller.DrainWatch::close);
    operator.stop();
    nativeSleep.close();
    if (config.leaderElection()) {
      LeaseRelease.release(client, config.leaseNamespace(), config.leaseName(), config.identity());
    }
  }
}
