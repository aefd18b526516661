package io.graceful.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoadBalancerFloorTest {
  private static final Map<String, String> WEB = Map.of("app", "web");

  private static LoadBalancerFloor.ServiceView service(String name, Map<String, String> annotations) {
    return new LoadBalancerFloor.ServiceView(name, WEB, annotations);
  }

  private static LoadBalancerFloor.IngressView ingress(String className, Map<String, String> annotations,
      String... services) {
    return new LoadBalancerFloor.IngressView("shop", className, annotations, Set.of(services));
  }

  @Test
  void awsNlbTargetGroupAttributesGiveTheNlbFloorAndNameTheDelay() {
    LoadBalancerFloor f = LoadBalancerFloor.ofService(service("web", Map.of(LoadBalancerFloor.AWS_SERVICE_TARGET_GROUP,
        "preserve_client_ip.enabled=true, deregistration_delay.timeout_seconds=30"))).orElseThrow();
    assertThat(f.seconds()).isEqualTo(120);
    assertThat(f.source()).contains("AWS NLB", "Service web", "deregistration_delay.timeout_seconds=30", "#2366");
    assertThat(LoadBalancerFloor.ofService(service("web", Map.of(LoadBalancerFloor.AWS_SERVICE_TARGET_GROUP,
        "deregistration_delay.timeout_seconds=soon"))).orElseThrow().source()).contains("is not a number: 'soon'");
    assertThat(LoadBalancerFloor.delay("stickiness.enabled=true")).isEmpty();
    assertThat(LoadBalancerFloor.delay("garbage")).isEmpty();
  }

  @Test
  void gkeBackendConfigGivesGkesDocumentedFloor() {
    LoadBalancerFloor f = LoadBalancerFloor.ofService(service("web", Map.of(LoadBalancerFloor.GKE_BACKEND_CONFIG,
        "{\"default\": \"web-backendconfig\"}"))).orElseThrow();
    assertThat(f.seconds()).isEqualTo(120);
    assertThat(f.source()).contains("GKE BackendConfig", "Service web");
  }

  @Test
  void ingressAnnotationsAndClasses() {
    assertThat(LoadBalancerFloor.ofIngress(ingress("alb", Map.of(LoadBalancerFloor.AWS_ALB_TARGET_GROUP,
        "deregistration_delay.timeout_seconds=300"), "web")).orElseThrow())
        .satisfies(f -> assertThat(f.seconds()).isEqualTo(25))
        .satisfies(f -> assertThat(f.source()).contains("AWS ALB", "deregistration_delay.timeout_seconds=300"));
    assertThat(LoadBalancerFloor.ofIngress(ingress(null, Map.of(LoadBalancerFloor.AGIC_DRAINING_TIMEOUT, "30"),
        "web")).orElseThrow().seconds()).isEqualTo(90);
    assertThat(LoadBalancerFloor.ofIngress(ingress(null, Map.of(LoadBalancerFloor.AGIC_DRAINING, "true"), "web"))
        .orElseThrow().seconds()).isEqualTo(90);
    assertThat(LoadBalancerFloor.ofIngress(ingress(null, Map.of(LoadBalancerFloor.AGIC_DRAINING, "false"), "web")))
        .isEmpty();
    assertThat(LoadBalancerFloor.ofIngress(ingress("nginx", Map.of(), "web")).orElseThrow().seconds()).isEqualTo(5);
    assertThat(LoadBalancerFloor.ofIngress(ingress(null, Map.of(LoadBalancerFloor.INGRESS_CLASS, "nginx"), "web")))
        .isPresent();
    assertThat(LoadBalancerFloor.ofIngress(ingress(null, Map.of("nginx.ingress.kubernetes.io/rewrite-target", "/"),
        "web"))).isPresent();
    assertThat(LoadBalancerFloor.ofIngress(ingress("traefik", Map.of("other", "x"), "web"))).isEmpty();
    // an nginx Ingress on an ALB-annotated one: the higher floor
    assertThat(LoadBalancerFloor.ofIngress(ingress("nginx", Map.of(LoadBalancerFloor.AWS_ALB_TARGET_GROUP, ""),
        "web")).orElseThrow().seconds()).isEqualTo(25);
  }

  @Test
  void onlyServicesSelectingThePodsAndIngressesRoutingToThemCount() {
    LoadBalancerFloor.ServiceView nlbElsewhere = new LoadBalancerFloor.ServiceView("api", Map.of("app", "api"),
        Map.of(LoadBalancerFloor.AWS_SERVICE_TARGET_GROUP, ""));
    LoadBalancerFloor.ServiceView noSelector = new LoadBalancerFloor.ServiceView("external", Map.of(),
        Map.of(LoadBalancerFloor.GKE_BACKEND_CONFIG, "{}"));
    LoadBalancerFloor.ServiceView plainWeb = service("web", Map.of());
    LoadBalancerFloor.IngressView agicToApi = ingress(null, Map.of(LoadBalancerFloor.AGIC_DRAINING_TIMEOUT, "30"),
        "api");
    LoadBalancerFloor.IngressView nginxToWeb = ingress("nginx", Map.of(), "web", "other");
    Map<String, String> pods = Map.of("app", "web", "pod-template-hash", "abc");
    assertThat(LoadBalancerFloor.forPods(pods, List.of(nlbElsewhere, noSelector, plainWeb),
        List.of(agicToApi, nginxToWeb))).hasValueSatisfying(f -> assertThat(f.seconds()).isEqualTo(5));
    assertThat(LoadBalancerFloor.forPods(pods, List.of(nlbElsewhere, noSelector), List.of(nginxToWeb))).isEmpty();
    assertThat(LoadBalancerFloor.forPods(null, List.of(plainWeb), List.of(nginxToWeb))).isEmpty();
    // order of the lists does not matter
    LoadBalancerFloor.ServiceView gkeWeb = service("web-neg", Map.of(LoadBalancerFloor.GKE_BACKEND_CONFIG, "{}"));
    LoadBalancerFloor.ServiceView nlbWeb = service("web-nlb", Map.of(LoadBalancerFloor.AWS_SERVICE_TARGET_GROUP, ""));
    assertThat(LoadBalancerFloor.forPods(pods, List.of(gkeWeb, nlbWeb), List.of()))
        .isEqualTo(LoadBalancerFloor.forPods(pods, List.of(nlbWeb, gkeWeb), List.of()));
  }

  @Test
  void theMessageNamesTheWorkloadTheNumbersAndTheRemedy() {
    LoadBalancerFloor f = new LoadBalancerFloor(120, "AWS NLB target group of Service web");
    assertThat(f.below(new WorkloadRef(WorkloadKind.Deployment, "shop", "web"), 10)).isEqualTo("Deployment web "
        + "sleeps 10 s, below the 120 s reported minimum: AWS NLB target group of Service web; raise "
        + "spec.preStop.sleepSeconds or tune.minSeconds");
  }

  @Test
  void theStoresKeepOnlyTheAnnotationsFloorsRead() {
    assertThat(LoadBalancerFloor.reads(LoadBalancerFloor.AWS_SERVICE_TARGET_GROUP)).isTrue();
    assertThat(LoadBalancerFloor.reads("nginx.ingress.kubernetes.io/proxy-body-size")).isTrue();
    assertThat(LoadBalancerFloor.reads("kubectl.kubernetes.io/last-applied-configuration")).isFalse();
  }
}
