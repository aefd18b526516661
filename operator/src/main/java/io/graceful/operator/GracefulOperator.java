package io.graceful.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.controller.DecisionListener;
import io.graceful.operator.controller.DeploymentFilters;
import io.graceful.operator.controller.DeploymentReconciler;
import io.graceful.operator.controller.DeploymentWriter;
import io.graceful.operator.controller.EventRecorder;
import io.graceful.operator.controller.GracefulPolicyReconciler;
import io.graceful.operator.controller.PolicySettling;
import io.graceful.operator.controller.PolicyStatusTrigger;
import io.graceful.operator.controller.PrunedDeploymentStore;
import io.graceful.operator.controller.RolloutBudget;
import io.graceful.operator.core.PlanningContext;
import io.graceful.operator.runtime.NativeSleepDetector;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator assembled: two controllers over one client. {@link #start} returns when the informer caches are
 * synced (or, with leader election, once the process is a candidate). The client is the caller's to close.
 */
public final class GracefulOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GracefulOperator.class);

  private final Operator operator;
  private final OperatorConfig config;
  private final KubernetesClient client;
  private final OperatorMetrics metrics;
  private final AtomicBoolean stopping;
  private final AtomicBoolean leading;
  private final NativeSleepDetector nativeSleep;
  /** How long start-up waits for the node list before the API server version decides (meanwhile). */
  private static final java.time.Duration NODE_SYNC_TIMEOUT = java.time.Duration.ofSeconds(30);

  private GracefulOperator(Operator operator, OperatorConfig config, KubernetesClient client, OperatorMetrics metrics,
      AtomicBoolean stopping, AtomicBoolean leading, NativeSleepDetector nativeSleep) {
    this.nativeSleep = nativeSleep;
    this.operator = operator;
    this.config = config;
    this.client = client;
    this.metrics = metrics;
    this.stopping = stopping;
    this.leading = leading;
  }

  public static GracefulOperator start(KubernetesClient client, OperatorConfig config) {
    return start(client, config, DecisionListener.NONE, GracefulPolicyReconciler.PolicyStatusListener.NONE);
  }

  /** Starts with extra observers (benchmarks and tests count decisions through them). */
  public static GracefulOperator start(KubernetesClient client, OperatorConfig config, DecisionListener decisions,
      GracefulPolicyReconciler.PolicyStatusListener statuses) {
    NativeSleepDetector nativeSleep = NativeSleepDetector.start(client, config.nativeSleep(), NODE_SYNC_TIMEOUT);
    java.util.function.Supplier<PlanningContext> planning =
        () -> new PlanningContext(nativeSleep.current(), config.maxReapplies());
    EventRecorder events = new EventRecorder(client, config.identity());
    events.seed(config.watchNamespaces());
    OperatorMetrics metrics = new OperatorMetrics();
    DecisionListener allDecisions = DecisionListener.both(metrics, decisions);
    GracefulPolicyReconciler.PolicyStatusListener allStatuses = (policy, status) -> {
      metrics.computed(policy, status);
      statuses.computed(policy, status);
    };
    AtomicBoolean stopping = new AtomicBoolean();
    AtomicBoolean leading = new AtomicBoolean(!config.leaderElection());

    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          .checkingCRDAndValidateLocalModel(false)
          // the operator writes status with JSON Patch itself; no server-side apply anywhere (SPEC R5)
          .withUseSSAToPatchPrimaryResource(false)
          .withConcurrentReconciliationThreads(config.reconcileThreads())
          .withReconciliationTerminationTimeout(config.shutdownTimeout())
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
        config.maxConcurrentRolloutsPerNamespace(), config.rolloutFailureThreshold());
    metrics.rolloutsFrom(budget);
    PolicyStatusTrigger statusTrigger = new PolicyStatusTrigger();
    DeploymentReconciler deploymentReconciler = new DeploymentReconciler(planning, new DeploymentWriter(client),
        events, allDecisions, budget, statusTrigger, new PolicySettling(config.policySettle(), System::nanoTime));
    RegisteredController<Deployment> deploymentController = operator.register(deploymentReconciler,
        GracefulOperator.<Deployment>scope(config.watchNamespaces(), o -> {
          o.withOnUpdateFilter(DeploymentFilters.relevantUpdate(budget));
          if (singleInformer(config)) {
            o.withItemStore(new PrunedDeploymentStore());
          }
        }));
    GracefulPolicyReconciler policies = new GracefulPolicyReconciler(planning, events, allStatuses,
        Clock.systemUTC(), budget, deploymentReconciler::deploymentCache, () -> synced(deploymentController),
        statusTrigger);
    metrics.policiesFrom(policies::existingPolicies);
    operator.register(policies, scope(config.watchNamespaces(), o -> { }));
    nativeSleep.onChange((before, after) -> {
      if (after.plansDifferFrom(before)) {
        // a native sleep on a kubelet that cannot run it is silently ignored: switching is the safe choice
        deploymentReconciler.replanAll();
      }
      statusTrigger.allChanged();
    });
    operator.start();
    LOG.info("graceful-operator started ({} namespaces)", config.watchNamespaces().isEmpty() ? "all"
        : config.watchNamespaces().size());
    return new GracefulOperator(operator, config, client, metrics, stopping, leading, nativeSleep);
  }

  /** Every informer of the controller has listed its whole scope. */
  private static boolean synced(RegisteredController<Deployment> controller) {
    for (InformerWrappingEventSourceHealthIndicator<?> source
        : controller.getControllerHealthInfo().informerEventSourceHealthIndicators().values()) {
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

  private static <R extends io.fabric8.kubernetes.api.model.HasMetadata> Consumer<ControllerConfigurationOverrider<R>>
      scope(Set<String> namespaces, Consumer<ControllerConfigurationOverrider<R>> more) {
    return o -> {
      if (namespaces.isEmpty()) {
        o.watchingAllNamespaces();
      } else {
        o.settingNamespaces(namespaces);
      }
      more.accept(o);
    };
  }

  /** Liveness: a follower is alive while it waits; a leader while its informers are healthy. */
  public boolean isLive() {
    return !leading.get() || operator.getRuntimeInfo().allEventSourcesAreHealthy();
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
    operator.stop();
    nativeSleep.close();
    if (config.leaderElection()) {
      LeaseRelease.release(client, config.leaseNamespace(), config.leaseName(), config.identity());
    }
  }
}
