package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * An informer store for drain measurement that keeps of each object only what its event handlers read: a pod or a
 * slice of 100 endpoints is kilobytes, this is a few dozen bytes per pod or endpoint, whatever the cluster's size.
 *
 * <p>Why not identities only: fabric8 hands the handlers the <em>stored</em> object when an informer (re)lists, so
 * after an operator restart the first view of every existing pod and EndpointSlice is what the store kept. A slice
 * stored without its endpoints would route to nothing, and a pod running before the restart would never be measured
 * (DrainAfterRestartTest, DrainMeasurementIT).
 */
final class DrainItemStore<T extends HasMetadata> extends BasicItemStore<T> {
  private static final Set<String> KEPT_LABELS = Set.of("pod-template-hash", "rollouts-pod-template-hash");
  private final UnaryOperator<T> prune;

  private DrainItemStore(UnaryOperator<T> prune) {
    super(Cache::metaNamespaceKeyFunc);
    this.prune = prune;
  }

  /** Pods: identity, owners, the pod-template-hash labels, the deletion fields and the containers' lifecycle. */
  static DrainItemStore<Pod> pods() {
    return new DrainItemStore<>(DrainItemStore::prunePod);
  }

  /** EndpointSlices: identity and, per endpoint, the pod it targets and whether it is ready. */
  static DrainItemStore<EndpointSlice> slices() {
    return new DrainItemStore<>(DrainItemStore::pruneSlice);
  }

  /** Events: identity, reason, count and the object they are about. */
  static DrainItemStore<Event> events() {
    return new DrainItemStore<>(DrainItemStore::pruneEvent);
  }

  @Override
  public T put(String key, T object) {
    return super.put(key, prune.apply(object));
  }

  private static ObjectMeta identity(ObjectMeta from) {
    ObjectMeta meta = new ObjectMeta();
    if (from != null) {
      meta.setName(from.getName());
      meta.setNamespace(from.getNamespace());
      meta.setUid(from.getUid());
      meta.setResourceVersion(from.getResourceVersion());
    }
    return meta;
  }

  static Pod prunePod(Pod pod) {
    Pod out = new Pod();
    ObjectMeta meta = identity(pod.getMetadata());
    if (pod.getMetadata() != null) {
      meta.setOwnerReferences(pod.getMetadata().getOwnerReferences());
      meta.setDeletionTimestamp(pod.getMetadata().getDeletionTimestamp());
      meta.setDeletionGracePeriodSeconds(pod.getMetadata().getDeletionGracePeriodSeconds());
      if (pod.getMetadata().getLabels() != null) {
        Map<String, String> labels = new HashMap<>(pod.getMetadata().getLabels());
        labels.keySet().retainAll(KEPT_LABELS);
        meta.setLabels(labels);
      }
    }
    out.setMetadata(meta);
    if (pod.getSpec() != null && pod.getSpec().getContainers() != null) {
      List<Container> containers = new ArrayList<>();
      for (Container c : pod.getSpec().getContainers()) {
        Container kept = new Container();
        kept.setName(c.getName());
        kept.setLifecycle(c.getLifecycle());
        containers.add(kept);
      }
      PodSpec spec = new PodSpec();
      spec.setContainers(containers);
      out.setSpec(spec);
    }
    return out;
  }

  static EndpointSlice pruneSlice(EndpointSlice slice) {
    EndpointSlice out = new EndpointSlice();
    out.setMetadata(identity(slice.getMetadata()));
    if (slice.getEndpoints() != null) {
      List<Endpoint> endpoints = new ArrayList<>();
      for (Endpoint e : slice.getEndpoints()) {
        Endpoint kept = new Endpoint();
        if (e.getTargetRef() != null) {
          ObjectReference target = new ObjectReference();
          target.setKind(e.getTargetRef().getKind());
          target.setUid(e.getTargetRef().getUid());
          kept.setTargetRef(target);
        }
        if (e.getConditions() != null) {
          EndpointConditions conditions = new EndpointConditions();
          conditions.setReady(e.getConditions().getReady());
          kept.setConditions(conditions);
        }
        endpoints.add(kept);
      }
      out.setEndpoints(endpoints);
    }
    return out;
  }

  static Event pruneEvent(Event event) {
    Event out = new Event();
    out.setMetadata(identity(event.getMetadata()));
    out.setReason(event.getReason());
    out.setCount(event.getCount());
    out.setInvolvedObject(event.getInvolvedObject());
    return out;
  }
}
