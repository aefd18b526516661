package io.graceful.operator;

import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.graceful.operator.api.argo.ArgoRollout;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.controller.KindSupport;
import io.graceful.operator.controller.PolicyStatusTrigger;
import io.graceful.operator.controller.RolloutBudget;
import io.graceful.operator.controller.RolloutReconciler;
import io.graceful.operator.controller.Wakeups;
import io.graceful.operator.controller.WorkloadCaches;
import io.graceful.operator.core.WorkloadKind;
import io.graceful.operator.runtime.Preflight;
import io.javaoperatorsdk.operator.Operator;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Governs Argo Rollouts while their CRD (rollouts.argoproj.io) is installed, noticing it appear and disappear
 * without a restart.
 *
 * <p>Detection reads API discovery ({@code /apis/argoproj.io/v1alpha1}) every {@link #INTERVAL}, rather than
 * watching CustomResourceDefinitions: discovery is readable by every authenticated client (the system:discovery
 * role), so the operator needs no cluster-scoped permission on CRDs, which the namespaced install mode of the chart
 * cannot grant; the cost is one small GET per interval and a delay of at most one interval.
 *
 * <p>The Rollout controller runs in a framework instance of its own: the framework registers controllers only
 * before it starts, and stopping this one must not stop the others. It runs only while this process leads (with
 * leader election on), like every other controller's writes.
 */
final class ArgoRollouts implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ArgoRollouts.class);
  /** How often discovery is read: how long the CRD's arrival or removal can go unnoticed. */
  static final Duration INTERVAL = Duration.ofSeconds(10);
  static final String CRD = "rollouts.argoproj.io";
  /** The chart value that grants the permission (helm/graceful-operator/values.yaml). */
  static final String RBAC_HINT = "grant get, list, watch and patch on " + CRD
      + " (Helm: --set rbac.argoRollouts=true)";

  private final KubernetesClient client;
  private final OperatorConfig config;
  private final Supplier<RolloutReconciler> newReconciler;
  private final RolloutBudget budget;
  private final WorkloadCaches caches;
  private final Wakeups wakeups;
  private final PolicyStatusTrigger statusTrigger;
  private final BooleanSupplier leading;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "argo-rollouts-discovery");
    t.setDaemon(true);
    return t;
  });
  private Operator running;
  private RolloutReconciler reconciler;
  /** Why Rollouts are not governed now; null while they are. */
  private volatile String unavailable = "the operator has not looked for the CRD " + CRD + " yet";
  private boolean closed;

  ArgoRollouts(KubernetesClient client, OperatorConfig config, Supplier<RolloutReconciler> newReconciler,
      RolloutBudget budget, WorkloadCaches caches, Wakeups wakeups, PolicyStatusTrigger statusTrigger,
      BooleanSupplier leading) {
    this.client = client;
    this.config = config;
    this.newReconciler = newReconciler;
    this.budget = budget;
    this.caches = caches;
    this.wakeups = wakeups;
    this.statusTrigger = statusTrigger;
    this.leading = leading;
    caches.unavailableFrom(this::unavailable);
  }

  /** Kind -> why it is not governed now; empty while the Rollout controller runs. */
  Map<WorkloadKind, String> unavailable() {
    String why = unavailable;
    return why == null ? Map.of() : Map.of(WorkloadKind.Rollout, why);
  }

  /** What action Auto means changed: re-plan every Rollout too, if they are governed. */
  synchronized void replanAll() {
    if (reconciler != null) {
      reconciler.replanAll();
    }
  }

  /** Checks every {@link #INTERVAL} from now on ({@link #check} once first, so a CRD present at start is served). */
  void start() {
    timer.scheduleWithFixedDelay(() -> {
      try {
        check();
      } catch (RuntimeException e) {
        LOG.warn("checking for the CRD {} failed: {}", CRD, Preflight.rootCause(e));
      }
    }, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  synchronized void check() {
    if (closed) {
      return;
    }
    Boolean present = crdServed();
    if (present == null) {
      return; // discovery failed: keep the current state rather than flap
    }
    if (!present) {
      if (running != null) {
        LOG.info("the CRD {} is gone; stopping the Rollout controller", CRD);
        stop();
      }
      said("the CRD " + CRD + " (Argo Rollouts) is not installed; Rollouts are governed once it is");
      return;
    }
    if (running != null || !leading.getAsBoolean()) {
      return;
    }
    String denied = mayList();
    if (denied != null) {
      said(denied);
      return;
    }
    startController();
  }

  /** True, false, or null when discovery could not be read. */
  private Boolean crdServed() {
    APIResourceList resources;
    try {
      resources = client.getApiResources(WorkloadKind.Rollout.apiVersion());
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        LOG.debug("reading discovery /apis/{} failed: {}", WorkloadKind.Rollout.apiVersion(), e.getMessage());
        return null;
      }
      resources = null;
    }
    return resources != null && resources.getResources() != null
        && resources.getResources().stream().anyMatch(r -> WorkloadKind.Rollout.plural().equals(r.getName()));
  }

  /**
   * The permission the chart grants only on request: without it the informer could not start; the operator says so
   * (log, policy status) and keeps running. Null when listing is allowed.
   */
  private String mayList() {
    var list = new ListOptionsBuilder().withLimit(1L).build();
    for (String ns : config.watchNamespaces().isEmpty() ? java.util.Collections.<String>singleton(null)
        : config.watchNamespaces()) {
      try {
        if (ns == null) {
          client.resources(ArgoRollout.class).inAnyNamespace().list(list);
        } else {
          client.resources(ArgoRollout.class).inNamespace(ns).list(list);
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
          return "the CRD " + CRD + " is installed but the operator may not list " + CRD
              + (ns == null ? " in all namespaces" : " in namespace " + ns) + ": " + RBAC_HINT;
        }
        return "listing " + CRD + " failed (" + e.getCode() + "): " + Preflight.rootCause(e) + "; retrying";
      }
    }
    return null;
  }

  private void startController() {
    RolloutReconciler r = newReconciler.get();
    Operator operator = new Operator(o -> GracefulOperator.common(o, client, config)
        // the CRD being deleted stops the informer; discovery notices it within INTERVAL and stops this controller.
        // The framework's default handler would exit the process
        .withInformerStoppedHandler((informer, error) -> LOG.info("the Rollout informer stopped: {}",
            error == null ? "closed" : Preflight.rootCause(error))));
    GracefulOperator.registerWorkloads(operator, r, config, budget, caches);
    try {
      operator.start();
    } catch (RuntimeException e) {
      operator.stop();
      caches.remove(r);
      budget.forget(WorkloadKind.Rollout);
      said("the Rollout controller could not start: " + Preflight.rootCause(e) + "; retrying");
      return;
    }
    running = operator;
    reconciler = r;
    unavailable = null;
    LOG.info("the CRD {} is installed; governing Argo Rollouts", CRD);
    statusTrigger.allChanged();
  }

  private void stop() {
    Operator operator = running;
    running = null;
    operator.stop();
    caches.remove(reconciler);
    reconciler = null;
    budget.forget(WorkloadKind.Rollout);
    wakeups.unregister(WorkloadKind.Rollout);
  }

  /** Records why Rollouts are not governed; logs and refreshes the statuses when that changes. */
  private void said(String why) {
    if (!why.equals(unavailable)) {
      if (why.contains(RBAC_HINT)) {
        LOG.warn("Argo Rollouts not governed: {}", why);
      } else {
        LOG.info("Argo Rollouts not governed: {}", why);
      }
      unavailable = why;
      statusTrigger.allChanged();
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    timer.shutdownNow();
    if (running != null) {
      stop();
    }
  }
}
