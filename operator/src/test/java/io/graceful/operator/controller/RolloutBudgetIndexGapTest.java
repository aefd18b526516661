package io.graceful.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import io.graceful.operator.core.Change;
import io.graceful.operator.core.GracefulAnnotations;
import io.graceful.operator.core.Workload;
import io.graceful.operator.core.WorkloadPlan;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The budget over a real fabric8 informer cache (as the controllers' primary cache holds it): fabric8 updates an
 * index without the cache's lock, first removing the old object's entry, then adding the new one's. A budget read in
 * between used to miss the only rollout in flight (a status update of it being stored) and admit the next workload:
 * LostResponseIT "DROP, default", app-1 written while app-0 still had an old pod.
 */
class RolloutBudgetIndexGapTest {
  private static final String NS = "shop";
  private static final String IN_FLIGHT = "graceful-rollout-in-flight";

  /** The controllers' cache: a fabric8 CacheImpl with the pruned store; index functions may pause on one version. */
  static final class InformerCache implements IndexerResourceCache<Deployment> {
    final CacheImpl<Deployment> cache = new CacheImpl<>(CacheImpl.NAMESPACE_INDEX, CacheImpl::metaNamespaceIndexFunc,
        CacheImpl::metaNamespaceKeyFunc);
    volatile String pauseAt;
    final CountDownLatch inGap = new CountDownLatch(1);
    final CountDownLatch resume = new CountDownLatch(1);

    InformerCache() {
      cache.setItemStore(new PrunedStore<>(PrunedWorkloads::prune));
    }

    @Override
    public void addIndexers(Map<String, Function<Deployment, List<String>>> indexers) {
      Map<String, Function<Deployment, List<String>>> wrapped = new HashMap<>();
      indexers.forEach((name, f) -> wrapped.put(name, d -> {
        if (name.equals(IN_FLIGHT) && d.getMetadata().getResourceVersion().equals(pauseAt)) {
          // the old object's entry is gone already; the new object's is not there yet
          inGap.countDown();
          try {
            resume.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return f.apply(d);
      }));
      cache.addIndexers(wrapped);
    }

    @Override
    public List<Deployment> byIndex(String index, String key) {
      return cache.byIndex(index, key);
    }

    @Override
    public Optional<Deployment> get(ResourceID id) {
      return Optional.ofNullable(cache.getByKey(id.getNamespace().orElse(null) + "/" + id.getName()));
    }

    @Override
    public Stream<ResourceID> keys() {
      return cache.list().stream().map(ResourceID::fromResource);
    }

    @Override
    public Stream<Deployment> list(Predicate<Deployment> p) {
      return cache.list().stream().filter(p);
    }

    @Override
    public Stream<Deployment> list(String namespace, Predicate<Deployment> p) {
      return list(p.and(d -> namespace.equals(d.getMetadata().getNamespace())));
    }
  }

  /** Two replicas wanted; {@code rollout} the operator's rollout annotation (or null), status as given. */
  static Deployment deployment(String name, String resourceVersion, long generation, String rollout,
      long observed, int updated, int available, int replicas) {
    return new DeploymentBuilder()
        .withNewMetadata().withNamespace(NS).withName(name).withUid("uid-" + name).withGeneration(generation)
          .withResourceVersion(resourceVersion).withCreationTimestamp("2026-01-01T00:00:0" + name.charAt(4) + "Z")
          .withAnnotations(rollout == null ? Map.of() : Map.of(GracefulAnnotations.ROLLOUT, rollout))
        .endMetadata()
        .withNewSpec().withReplicas(2)
          .withNewTemplate().withNewSpec().addToContainers(new ContainerBuilder().withName("web").build())
          .endSpec().endTemplate()
        .endSpec()
        .withNewStatus().withObservedGeneration(observed).withReplicas(replicas).withUpdatedReplicas(updated)
          .withReadyReplicas(available).withAvailableReplicas(available)
        .endStatus()
        .build();
  }

  static WorkloadPlan apply(Deployment d) {
    ArrayNode patch = new ObjectMapper().createArrayNode();
    patch.addObject().put("op", "add").put("path", "/spec/template/spec/containers/0/lifecycle")
        .putObject("value");
    return new WorkloadPlan(Workload.of(d).ref(), List.of(), "web", null, Change.APPLY, patch, "apply", List.of());
  }

  private static RolloutBudget budget(InformerCache cache) {
    RolloutBudget budget = new RolloutBudget(1, 0, 0, System::nanoTime);
    budget.indexing(KindSupport.DEPLOYMENTS, cache);
    return budget;
  }

  /** Stores {@code update} on another thread (as the informer does) and holds it inside the index gap. */
  private static Thread storeAndHoldInGap(InformerCache cache, Deployment update) throws InterruptedException {
    cache.pauseAt = update.getMetadata().getResourceVersion();
    Thread informer = new Thread(() -> cache.cache.put(update), "informer");
    informer.start();
    assertThat(cache.inGap.await(10, TimeUnit.SECONDS)).as("the informer thread is inside the index update").isTrue();
    return informer;
  }

  @Test
  void aStatusUpdateOfTheOnlyRolloutInFlightDoesNotFreeItsSlot() throws InterruptedException {
    InformerCache cache = new InformerCache();
    RolloutBudget budget = budget(cache);
    // app-0's operator rollout: generation 2 written, an old pod not gone yet; app-1 waits for the slot
    Deployment app0 = deployment("app-0", "10", 2, "2", 2, 2, 2, 3);
    Deployment app1 = deployment("app-1", "11", 1, null, 1, 2, 2, 2);
    cache.cache.put(app0);
    cache.cache.put(app1);
    budget.planned(app0);
    budget.planned(app1);
    assertThat(budget.admit(app1, Workload.of(app1), apply(app1))).isEqualTo(RolloutBudget.Admission.WAIT);
    assertThat(budget.toWake()).isEmpty();

    // the deployment controller updates app-0's status (still rolling): the informer stores it
    Thread informer = storeAndHoldInGap(cache, deployment("app-0", "12", 2, "2", 2, 2, 3, 3));
    try {
      assertThat(budget.inFlightCount()).as("app-0 is still rolling").isEqualTo(1);
      assertThat(budget.toWake()).as("nobody to wake: the slot is taken").isEmpty();
      assertThat(budget.admit(app1, Workload.of(app1), apply(app1))).isEqualTo(RolloutBudget.Admission.WAIT);
    } finally {
      cache.resume.countDown();
      informer.join(10_000);
    }
    assertThat(budget.inFlightCount()).isEqualTo(1);
    // app-0's rollout ends: now app-1 goes
    cache.cache.put(deployment("app-0", "13", 2, "2", 2, 2, 2, 2));
    assertThat(budget.inFlightCount()).isZero();
    assertThat(budget.toWake()).extracting(r -> r.name()).containsExactly("app-1");
    assertThat(budget.admit(app1, Workload.of(app1), apply(app1))).isEqualTo(RolloutBudget.Admission.GO);
  }

  @Test
  void theSlotHandsOverFromTheReservationToTheCacheWithoutAGap() throws InterruptedException {
    InformerCache cache = new InformerCache();
    RolloutBudget budget = budget(cache);
    Deployment app0 = deployment("app-0", "10", 1, null, 1, 2, 2, 2);
    Deployment app1 = deployment("app-1", "11", 1, null, 1, 2, 2, 2);
    cache.cache.put(app0);
    cache.cache.put(app1);
    budget.planned(app0);
    budget.planned(app1);
    assertThat(budget.admit(app0, Workload.of(app0), apply(app0))).isEqualTo(RolloutBudget.Admission.GO);
    // the write landed but its response was lost (a connection reset: no HTTP code)
    budget.writeFailed(app0, -1);
    // the cache shows the write; app-0's reconciliation ends the reservation
    Deployment written = deployment("app-0", "12", 2, "2", 1, 2, 2, 2);
    cache.cache.put(written);
    budget.observe(written, Workload.of(written));
    // its first status update is being stored
    Thread informer = storeAndHoldInGap(cache, deployment("app-0", "13", 2, "2", 2, 1, 2, 3));
    try {
      assertThat(budget.admit(app1, Workload.of(app1), apply(app1))).isEqualTo(RolloutBudget.Admission.WAIT);
    } finally {
      cache.resume.countDown();
      informer.join(10_000);
    }
    assertThat(budget.admit(app1, Workload.of(app1), apply(app1))).isEqualTo(RolloutBudget.Admission.WAIT);
  }
}
