package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressSpec;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.graceful.operator.core.LoadBalancerFloor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Services and Ingresses as {@link LoadBalancerFloor} reads them. The informer stores keep only that (name,
 * selector, the load-balancer annotations, an Ingress's class and backend Service names), so watching every Service
 * costs little memory.
 */
public final class LoadBalancerRoutes {
  private LoadBalancerRoutes() {
  }

  /** A namespace's Services and Ingresses. */
  public record Routes(List<LoadBalancerFloor.ServiceView> services,
      List<LoadBalancerFloor.IngressView> ingresses) {
    public static final Routes NONE = new Routes(List.of(), List.of());
  }

  static Routes of(String namespace, List<SharedIndexInformer<Service>> services,
      List<SharedIndexInformer<Ingress>> ingresses) {
    List<LoadBalancerFloor.ServiceView> s = new ArrayList<>();
    for (SharedIndexInformer<Service> informer : services) {
      for (Service svc : informer.getStore().list()) {
        if (namespace.equals(svc.getMetadata().getNamespace())) {
          s.add(new LoadBalancerFloor.ServiceView(svc.getMetadata().getName(),
              svc.getSpec() == null ? null : svc.getSpec().getSelector(), svc.getMetadata().getAnnotations()));
        }
      }
    }
    List<LoadBalancerFloor.IngressView> i = new ArrayList<>();
    for (SharedIndexInformer<Ingress> informer : ingresses) {
      for (Ingress ing : informer.getStore().list()) {
        if (namespace.equals(ing.getMetadata().getNamespace())) {
          i.add(new LoadBalancerFloor.IngressView(ing.getMetadata().getName(),
              ing.getSpec() == null ? null : ing.getSpec().getIngressClassName(), ing.getMetadata().getAnnotations(),
              backends(ing)));
        }
      }
    }
    return new Routes(List.copyOf(s), List.copyOf(i));
  }

  static Service pruneService(Service svc) {
    Service out = new Service();
    out.setMetadata(meta(svc));
    ServiceSpec spec = new ServiceSpec();
    spec.setSelector(svc.getSpec() == null ? null : svc.getSpec().getSelector());
    out.setSpec(spec);
    return out;
  }

  static Ingress pruneIngress(Ingress ing) {
    Ingress out = new Ingress();
    out.setMetadata(meta(ing));
    IngressSpec spec = new IngressSpec();
    spec.setIngressClassName(ing.getSpec() == null ? null : ing.getSpec().getIngressClassName());
    // the backend Service names only, as one rule
    List<HTTPIngressPath> paths = new ArrayList<>();
    for (String name : backends(ing)) {
      IngressBackend b = new IngressBackend();
      b.setService(new io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend(name, null));
      HTTPIngressPath path = new HTTPIngressPath();
      path.setBackend(b);
      paths.add(path);
    }
    IngressRule rule = new IngressRule();
    rule.setHttp(new io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressRuleValue(paths));
    spec.setRules(List.of(rule));
    out.setSpec(spec);
    return out;
  }

  /** Whether an update changed nothing floors read (most Service updates are status or unrelated metadata). */
  static boolean sameRouting(HasMetadata before, HasMetadata now) {
    if (before instanceof Service a && now instanceof Service b) {
      return pruneService(a).equals(pruneService(b));
    }
    if (before instanceof Ingress a && now instanceof Ingress b) {
      return pruneIngress(a).equals(pruneIngress(b));
    }
    return false;
  }

  static Set<String> backends(Ingress ing) {
    Set<String> names = new TreeSet<>();
    if (ing.getSpec() == null) {
      return names;
    }
    addBackend(ing.getSpec().getDefaultBackend(), names);
    if (ing.getSpec().getRules() != null) {
      for (IngressRule rule : ing.getSpec().getRules()) {
        if (rule != null && rule.getHttp() != null && rule.getHttp().getPaths() != null) {
          rule.getHttp().getPaths().stream().filter(Objects::nonNull).forEach(p -> addBackend(p.getBackend(), names));
        }
      }
    }
    return names;
  }

  private static void addBackend(IngressBackend backend, Set<String> names) {
    if (backend != null && backend.getService() != null && backend.getService().getName() != null) {
      names.add(backend.getService().getName());
    }
  }

  /** Identity plus the annotations floors read (load-balancer ones and ingress-nginx's). */
  private static ObjectMeta meta(HasMetadata o) {
    ObjectMeta m = new ObjectMeta();
    m.setName(o.getMetadata().getName());
    m.setNamespace(o.getMetadata().getNamespace());
    m.setUid(o.getMetadata().getUid());
    m.setResourceVersion(o.getMetadata().getResourceVersion());
    Map<String, String> kept = new HashMap<>();
    if (o.getMetadata().getAnnotations() != null) {
      o.getMetadata().getAnnotations().forEach((k, v) -> {
        if (LoadBalancerFloor.reads(k)) {
          kept.put(k, v);
        }
      });
    }
    m.setAnnotations(kept);
    return m;
  }
}
