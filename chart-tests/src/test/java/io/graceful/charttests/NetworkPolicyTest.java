package io.graceful.charttests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.List;
import org.junit.jupiter.api.Test;

/** networkPolicy: the operator reaches only the API server and DNS; only its HTTP port is reachable. */
class NetworkPolicyTest {

  private static List<String> ports(List<NetworkPolicyPort> ports) {
    return ports.stream().map(p -> p.getProtocol() + "/" + p.getPort().getValue()).toList();
  }

  @Test
  void optIn() {
    assertThat(Chart.render().all(NetworkPolicy.class)).isEmpty();
    assertThat(Chart.render("custom.yaml").all(NetworkPolicy.class)).isEmpty();
  }

  @Test
  void defaultRulesAllowTheApiServerDnsAndTheHttpPortOnly() {
    // admission off: its webhook port is the one more ingress rule (AdmissionChartTest)
    Chart.Rendered r = Chart.Rendered.parse(Chart.template().set("networkPolicy.enabled", true)
        .set("admission.enabled", false).call());
    NetworkPolicy np = r.one(NetworkPolicy.class);
    assertThat(np.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
    assertThat(np.getSpec().getPodSelector().getMatchLabels())
        .isEqualTo(r.deployment().getSpec().getSelector().getMatchLabels());
    // both types listed: whatever no rule allows is denied, in both directions
    assertThat(np.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");

    assertThat(np.getSpec().getIngress()).singleElement().satisfies(in -> {
      assertThat(ports(in.getPorts())).containsExactly("TCP/http");
      // empty metricsIngressFrom: any source, on that port only
      assertThat(in.getFrom()).isNullOrEmpty();
    });
    // the named port is the container's metrics/probe port
    assertThat(r.deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
        .singleElement().satisfies(p -> {
          assertThat(p.getName()).isEqualTo("http");
          assertThat(p.getContainerPort()).isEqualTo(8080);
        });

    List<NetworkPolicyEgressRule> egress = np.getSpec().getEgress();
    assertThat(egress).hasSize(2);
    assertThat(ports(egress.get(0).getPorts())).containsExactly("TCP/443", "TCP/6443");
    assertThat(egress.get(0).getTo()).isNullOrEmpty();
    assertThat(ports(egress.get(1).getPorts())).containsExactly("UDP/53", "TCP/53");
    assertThat(egress.get(1).getTo()).isNullOrEmpty();
  }

  @Test
  void peersPortsAndExtraRulesFollowValues() {
    NetworkPolicy np = Chart.Rendered.parse(Chart.template().withValuesFile(Chart.valuesFile("extras.yaml"))
        .set("admission.enabled", false).call()).one(NetworkPolicy.class);
    List<NetworkPolicyIngressRule> ingress = np.getSpec().getIngress();
    assertThat(ingress).hasSize(2);
    assertThat(ingress.get(0).getFrom()).singleElement().satisfies(peer -> {
      assertThat(peer.getNamespaceSelector().getMatchLabels())
          .containsEntry("kubernetes.io/metadata.name", "monitoring");
      assertThat(peer.getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", "prometheus");
    });
    assertThat(ingress.get(1).getFrom()).singleElement()
        .satisfies(peer -> assertThat(peer.getIpBlock().getCidr()).isEqualTo("192.168.0.0/16"));

    List<NetworkPolicyEgressRule> egress = np.getSpec().getEgress();
    assertThat(egress).hasSize(3);
    assertThat(ports(egress.get(0).getPorts())).containsExactly("TCP/8443");
    assertThat(egress.get(0).getTo()).singleElement()
        .satisfies(peer -> assertThat(peer.getIpBlock().getCidr()).isEqualTo("10.0.0.1/32"));
    assertThat(ports(egress.get(1).getPorts())).containsExactly("UDP/53", "TCP/53");
    assertThat(egress.get(2).getPorts()).singleElement()
        .satisfies(p -> assertThat(p.getPort()).isEqualTo(new IntOrString(3128)));
    assertThat(egress.get(2).getTo()).singleElement()
        .satisfies(peer -> assertThat(peer.getIpBlock().getCidr()).isEqualTo("10.1.2.3/32"));
  }
}
