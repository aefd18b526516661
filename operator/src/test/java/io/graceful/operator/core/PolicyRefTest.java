package io.graceful.operator.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PolicyRefTest {

  @Test
  void aBareNameIsThePolicyOfTheWorkloadsNamespace() {
    PolicyRef ref = PolicyRef.parse("web", "shop");
    assertThat(ref).isEqualTo(PolicyRef.namespaced("shop", "web"));
    assertThat(ref.isCluster()).isFalse();
    assertThat(ref.annotationValue()).as("what the operator writes today").isEqualTo("web");
  }

  @Test
  void theClusterPrefixNamesAClusterPolicyWhateverTheNamespace() {
    PolicyRef ref = PolicyRef.parse("cluster/platform-default", "shop");
    assertThat(ref).isEqualTo(PolicyRef.cluster("platform-default"));
    assertThat(ref.isCluster()).isTrue();
    assertThat(ref.namespace()).isNull();
    assertThat(ref.annotationValue()).isEqualTo("cluster/platform-default");
  }

  @Test
  void blankOrMissingNamesNoPolicyAndSpacesAroundAreIgnored() {
    assertThat(PolicyRef.parse(null, "shop")).isNull();
    assertThat(PolicyRef.parse("  ", "shop")).isNull();
    assertThat(PolicyRef.parse(" web ", "shop")).isEqualTo(PolicyRef.namespaced("shop", "web"));
  }

  @Test
  void aValueNoPolicyCanHaveParsesToAReferenceThatMatchesNothing() {
    // policy names are DNS subdomains: no namespaced policy is called "a/b", so planning reports it as not found
    assertThat(PolicyRef.parse("a/b", "shop")).isEqualTo(PolicyRef.namespaced("shop", "a/b"));
    assertThat(PolicyRef.parse("cluster/", "shop")).isEqualTo(PolicyRef.cluster(""));
  }

  @Test
  void aNamespaceCalledClusterDoesNotCollideWithClusterPolicies() {
    PolicyRef inNamespaceCluster = PolicyRef.namespaced("cluster", "web");
    PolicyRef clusterWide = PolicyRef.cluster("web");
    assertThat(inNamespaceCluster).isNotEqualTo(clusterWide);
    assertThat(inNamespaceCluster.key()).isEqualTo("cluster/web").isNotEqualTo(clusterWide.key());
    assertThat(clusterWide.key()).isEqualTo("/web");
  }

  @Test
  void aNameIsRequired() {
    assertThatThrownBy(() -> new PolicyRef("shop", null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> PolicyRef.namespaced(null, "web")).isInstanceOf(NullPointerException.class);
  }
}
