package io.graceful.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.controller.DecisionListener;
import io.graceful.operator.controller.DeploymentFilters;
import io.graceful.operator.controller.DeploymentReconciler;
import io.graceful.operator.controller.DeploymentWriter;
import io.graceful.operator.controller.EventRecorder;
import io.graceful.operator.controller.GracefulPolicyReconciler;
import io.graceful.operator.core.PlanningContext;
import io.graceful.operator.runtime.NativeSleepDetector;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.time.Clock;
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

  private GracefulOperator(Operator operator, OperatorConfig config) {
    this.operator = operator;
    this.config = config;
  }

  public static GracefulOperator start(KubernetesClient client, OperatorConfig config) {
    return start(client, config, DecisionListener.NONE, GracefulPolicyReconciler.PolicyStatusListener.NONE);
  }

  public static GracefulOperator start(KubernetesClient client, OperatorConfig config, DecisionListener decisions,
      GracefulPolicyReconciler.PolicyStatusListener statuses) {
    boolean nativeSleep = NativeSleepDetector.detect(client, config.nativeSleep());
    PlanningContext planning = new PlanningContext(nativeSleep, config.maxReapplies());
    EventRecorder events = new EventRecorder(client, config.identity());
    events.seed(config.watchNamespaces());

    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          .checkingCRDAndValidateLocalModel(false)
          // the operator writes status with JSON Patch itself; no server-side apply anywhere (SPEC R5)
          .withUseSSAToPatchPrimaryResource(false)
          .withConcurrentReconciliationThreads(config.reconcileThreads())
          .withReconciliationTerminationTimeout(config.shutdownTimeout());
      if (config.leaderElection()) {
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(config.leaseName(),
            config.leaseNamespace(), config.identity()));
      }
    });
    operator.register(new DeploymentReconciler(planning, new DeploymentWriter(client), events, decisions),
        scope(config.watchNamespaces(), o -> o.withOnUpdateFilter(
            DeploymentFilters.RELEVANT_UPDATE)));
    operator.register(new GracefulPolicyReconciler(planning, events, statuses, Clock.systemUTC()),
        scope(config.watchNamespaces(), o -> { }));
    operator.start();
    LOG.info("graceful-operator started ({} namespaces)", config.watchNamespaces().isEmpty() ? "all"
        : config.watchNamespaces().size());
    return new GracefulOperator(operator, config);
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

  public boolean isStarted() {
    return operator.getRuntimeInfo().isStarted();
  }

  public boolean isHealthy() {
    return operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  public OperatorConfig config() {
    return config;
  }

  @Override
  public void close() {
    operator.stop();
  }
}
