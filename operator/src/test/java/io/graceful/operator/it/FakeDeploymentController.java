package io.graceful.operator.it;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for the Deployment controller the mock API server does not run: a rollout (generation ahead of
 * status.observedGeneration) completes after {@code delay}, or fails with ProgressDeadlineExceeded when the
 * Deployment carries the label {@code rollout=fail}. It records the most rollouts it ever saw in progress at once.
 */
public final class FakeDeploymentController implements AutoCloseable {
  private final KubernetesClient client;
  private final String namespace;
  private final Duration delay;
  private final Map<String, Long> seenAt = new ConcurrentHashMap<>();
  private final AtomicInteger maxInProgress = new AtomicInteger();
  private final List<String> started = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();

  /** @param namespace the namespace whose Deployments it rolls out; null: every namespace */
  public FakeDeploymentController(KubernetesClient client, String namespace, Duration delay) {
    this.client = client;
    this.namespace = namespace;
    this.delay = delay;
    loop.scheduleWithFixedDelay(this::tick, 0, 50, TimeUnit.MILLISECONDS);
  }

  /** A settled Deployment with running pods, as a real cluster would show it. */
  public static DeploymentStatus settled(Deployment d) {
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    return new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
        .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(replicas)
        .withAvailableReplicas(replicas).build();
  }

  private void tick() {
    try {
      int inProgress = 0;
      List<Deployment> all = namespace == null ? client.apps().deployments().inAnyNamespace().list().getItems()
          : client.apps().deployments().inNamespace(namespace).list().getItems();
      for (Deployment d : all) {
        DeploymentStatus s = d.getStatus();
        long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
        boolean rolling = s != null && s.getObservedGeneration() != null && s.getObservedGeneration() < generation;
        if (!rolling) {
          continue;
        }
        if (restartsPods(d)) {
          // a Deployment scaled to zero or without pods yet restarts nothing: no rollout to count
          inProgress++;
        }
        String key = d.getMetadata().getNamespace() + "/" + d.getMetadata().getName() + "@" + generation;
        long first = seenAt.computeIfAbsent(key, k -> {
          started.add(d.getMetadata().getName());
          return System.nanoTime();
        });
        if (System.nanoTime() - first < delay.toNanos()) {
          continue;
        }
        DeploymentStatus next = "fail".equals(d.getMetadata().getLabels().get("rollout"))
            ? new DeploymentStatusBuilder(s).withObservedGeneration(generation).withConditions(
                new DeploymentConditionBuilder().withType("Progressing").withStatus("False")
                    .withReason("ProgressDeadlineExceeded").withMessage("fake: never became ready").build()).build()
            : settled(d);
        d.setStatus(next);
        client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(d).updateStatus();
      }
      maxInProgress.accumulateAndGet(inProgress, Math::max);
    } catch (RuntimeException e) {
      // a conflict with the operator's write: the next tick sees the fresh object
    }
  }

  private static boolean restartsPods(Deployment d) {
    int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    return desired > 0 && d.getStatus() != null && d.getStatus().getReplicas() != null
        && d.getStatus().getReplicas() > 0;
  }

  /** The most rollouts that restart pods it ever saw in progress at once. */
  public int maxInProgress() {
    return maxInProgress.get();
  }

  /** Deployment names in the order their rollouts started. */
  public List<String> startOrder() {
    return List.copyOf(started);
  }

  @Override
  public void close() {
    loop.shutdownNow();
  }
}
