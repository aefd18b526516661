package io.graceful.operator.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The minimum preStop sleep a load balancer in front of a workload is reported to need, read from the annotations of
 * the Services that select its pods and of the Ingresses that route to those Services. The numbers are the README's
 * (section "Measuring the drain", with the public source of each): the control plane's drain does not include the
 * time a cloud load balancer needs to stop sending new connections, so these floors sit above the measurement.
 *
 * @param seconds the reported minimum sleep
 * @param source what carries it and where the number comes from, for status and Events
 */
public record LoadBalancerFloor(long seconds, String source) {
  public static final String AWS_SERVICE_TARGET_GROUP =
      "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes";
  public static final String AWS_ALB_TARGET_GROUP = "alb.ingress.kubernetes.io/target-group-attributes";
  public static final String GKE_BACKEND_CONFIG = "cloud.google.com/backend-config";
  public static final String AGIC_DRAINING = "appgw.ingress.kubernetes.io/connection-draining";
  public static final String AGIC_DRAINING_TIMEOUT = "appgw.ingress.kubernetes.io/connection-draining-timeout";
  public static final String INGRESS_CLASS = "kubernetes.io/ingress.class";
  private static final String NGINX_PREFIX = "nginx.ingress.kubernetes.io/";

  /** About 120 s: NLB target deregistration took at least two minutes whatever the delay (aws-lbc#2366). */
  static final long AWS_NLB_SECONDS = 120;
  /** 25 s: the smallest sleep reported to end ALB 504s (aws-lbc#1064; 40-70 s in #2106). */
  static final long AWS_ALB_SECONDS = 25;
  /** 120 s: GKE's own troubleshooting advice for 500-series errors with container-native load balancing. */
  static final long GKE_SECONDS = 120;
  /** 90 s: the AGIC how-to's sleep for minimizing downtime during deployments. */
  static final long AGIC_SECONDS = 90;
  /** 5 s: a maintainer's suggestion for an app that exits at once (ingress-nginx#3639). */
  static final long NGINX_SECONDS = 5;

  /** What floors need of a Service: its selector and annotations. */
  public record ServiceView(String name, Map<String, String> selector, Map<String, String> annotations) {
    public ServiceView {
      selector = selector == null ? Map.of() : Map.copyOf(selector);
      annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
  }

  /** What floors need of an Ingress: its class, annotations and the Services its backends name. */
  public record IngressView(String name, String ingressClassName, Map<String, String> annotations,
      Set<String> services) {
    public IngressView {
      annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
      services = services == null ? Set.of() : Set.copyOf(services);
    }
  }

  /** Whether floors read this annotation (informer stores keep only those). */
  public static boolean reads(String annotation) {
    return annotation.equals(AWS_SERVICE_TARGET_GROUP) || annotation.equals(AWS_ALB_TARGET_GROUP)
        || annotation.equals(GKE_BACKEND_CONFIG) || annotation.equals(AGIC_DRAINING)
        || annotation.equals(AGIC_DRAINING_TIMEOUT) || annotation.equals(INGRESS_CLASS)
        || annotation.startsWith(NGINX_PREFIX);
  }

  /** The floor a Service's annotations ask for, if it carries a known load-balancer annotation. */
  public static Optional<LoadBalancerFloor> ofService(ServiceView service) {
    List<LoadBalancerFloor> found = new ArrayList<>();
    Map<String, String> a = service.annotations();
    if (a.containsKey(AWS_SERVICE_TARGET_GROUP)) {
      found.add(new LoadBalancerFloor(AWS_NLB_SECONDS, "AWS NLB target group of Service " + service.name()
          + delay(a.get(AWS_SERVICE_TARGET_GROUP)) + ": deregistration takes about 120 s whatever the delay "
          + "(aws-load-balancer-controller#2366)"));
    }
    if (a.containsKey(GKE_BACKEND_CONFIG)) {
      found.add(new LoadBalancerFloor(GKE_SECONDS, "GKE BackendConfig of Service " + service.name() + " ("
          + GKE_BACKEND_CONFIG + "): GKE's troubleshooting advice is a 120 s sleep against 500-series errors"));
    }
    return highest(found);
  }

  /** The floor an Ingress's annotations or class ask for, if it has a known load balancer. */
  public static Optional<LoadBalancerFloor> ofIngress(IngressView ingress) {
    List<LoadBalancerFloor> found = new ArrayList<>();
    Map<String, String> a = ingress.annotations();
    if (a.containsKey(AWS_ALB_TARGET_GROUP)) {
      found.add(new LoadBalancerFloor(AWS_ALB_SECONDS, "AWS ALB target group of Ingress " + ingress.name()
          + delay(a.get(AWS_ALB_TARGET_GROUP)) + ": 25 s is the smallest sleep reported to end 504s "
          + "(aws-load-balancer-controller#1064, #2106)"));
    }
    if (a.containsKey(AGIC_DRAINING_TIMEOUT) || "true".equalsIgnoreCase(a.getOrDefault(AGIC_DRAINING, ""))) {
      found.add(new LoadBalancerFloor(AGIC_SECONDS, "Azure Application Gateway connection draining of Ingress "
          + ingress.name() + ": the gateway applies a backend pool update about 40 s late; the AGIC how-to sleeps "
          + "90 s"));
    }
    boolean nginx = "nginx".equals(ingress.ingressClassName()) || "nginx".equals(a.get(INGRESS_CLASS))
        || a.keySet().stream().anyMatch(k -> k.startsWith(NGINX_PREFIX));
    if (nginx) {
      found.add(new LoadBalancerFloor(NGINX_SECONDS, "ingress-nginx Ingress " + ingress.name() + ": the controller "
          + "needs a moment to update its upstreams; a maintainer suggests at least 5 s (ingress-nginx#3639)"));
    }
    return highest(found);
  }

  /**
   * The highest floor in front of pods with these labels: Services whose (non-empty) selector selects them, and the
   * Ingresses whose backends name one of those Services.
   */
  public static Optional<LoadBalancerFloor> forPods(Map<String, String> podLabels, List<ServiceView> services,
      List<IngressView> ingresses) {
    Map<String, String> labels = podLabels == null ? Map.of() : podLabels;
    List<LoadBalancerFloor> found = new ArrayList<>();
    java.util.Set<String> selecting = new java.util.HashSet<>();
    for (ServiceView s : services) {
      if (!s.selector().isEmpty() && labels.entrySet().containsAll(s.selector().entrySet())) {
        selecting.add(s.name());
        ofService(s).ifPresent(found::add);
      }
    }
    for (IngressView i : ingresses) {
      if (i.services().stream().anyMatch(selecting::contains)) {
        ofIngress(i).ifPresent(found::add);
      }
    }
    return highest(found);
  }

  /** " (deregistration_delay.timeout_seconds=N)" when the attribute list sets it, else "". */
  static String delay(String attributes) {
    if (attributes == null) {
      return "";
    }
    for (String pair : attributes.split(",")) {
      String[] kv = pair.split("=", 2);
      if (kv.length == 2 && kv[0].strip().equals("deregistration_delay.timeout_seconds")) {
        String v = kv[1].strip();
        return v.matches("\\d{1,5}") ? " (deregistration_delay.timeout_seconds=" + v + ")"
            : " (deregistration_delay.timeout_seconds is not a number: '" + v + "')";
      }
    }
    return "";
  }

  /** The highest floor; on a tie the first source in name order, so the result does not depend on list order. */
  private static Optional<LoadBalancerFloor> highest(List<LoadBalancerFloor> floors) {
    return floors.stream().max(Comparator.comparingLong(LoadBalancerFloor::seconds)
        .thenComparing(LoadBalancerFloor::source, Comparator.reverseOrder()));
  }

  /** The status message for a workload whose sleep is below the floor. */
  public String below(WorkloadRef workload, long sleepSeconds) {
    return String.format(Locale.ROOT, "%s %s sleeps %d s, below the %d s reported minimum: %s; raise "
        + "spec.preStop.sleepSeconds or tune.minSeconds", workload.kind().name(), workload.name(), sleepSeconds,
        seconds, source);
  }
}
