package io.graceful.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The namespaceSelector semantics of ClusterGracefulPolicy (README, docs/rules.md R12). */
class NamespaceSelectionTest {
  private static final String OPERATOR_NS = "graceful-system";

  private static boolean selects(LabelSelector s, String ns, Map<String, String> labels) {
    return NamespaceSelection.selects(s, ns, labels, OPERATOR_NS);
  }

  @Test
  void anOmittedSelectorSelectsNothing() {
    assertThat(selects(null, "shop", Map.of("env", "prod"))).isFalse();
  }

  @Test
  void anEmptySelectorSelectsEveryOrdinaryNamespace() {
    assertThat(selects(new LabelSelector(), "shop", Map.of())).isTrue();
    assertThat(selects(new LabelSelectorBuilder().withMatchLabels(Map.of()).build(), "shop", null)).isTrue();
  }

  @Test
  void labelsSelectLikeAnyLabelSelector() {
    LabelSelector prod = new LabelSelectorBuilder().withMatchLabels(Map.of("env", "prod")).build();
    assertThat(selects(prod, "shop", Map.of("env", "prod"))).isTrue();
    assertThat(selects(prod, "shop", Map.of("env", "dev"))).isFalse();
    assertThat(selects(prod, "shop", Map.of())).isFalse();
    LabelSelector notDev = new LabelSelectorBuilder().addNewMatchExpression().withKey("env").withOperator("NotIn")
        .withValues("dev").endMatchExpression().build();
    assertThat(selects(notDev, "shop", Map.of())).isTrue();
  }

  @Test
  void systemAndOperatorNamespacesAreExcludedFromLabelsAndFromEmpty() {
    LabelSelector prod = new LabelSelectorBuilder().withMatchLabels(Map.of("env", "prod")).build();
    for (String ns : new String[] {"kube-system", "kube-public", "kube-node-lease", OPERATOR_NS}) {
      assertThat(selects(new LabelSelector(), ns, Map.of())).as(ns).isFalse();
      assertThat(selects(prod, ns, Map.of("env", "prod"))).as(ns).isFalse();
      LabelSelector exists = new LabelSelectorBuilder().addNewMatchExpression()
          .withKey(NamespaceSelection.NAME_LABEL).withOperator("Exists").endMatchExpression().build();
      assertThat(selects(exists, ns, Map.of())).as(ns).isFalse();
    }
    assertThat(selects(prod, "shop", Map.of("env", "prod"))).isTrue();
  }

  @Test
  void aSystemNamespaceIsSelectedWhenNamedExplicitly() {
    LabelSelector byLabel = new LabelSelectorBuilder()
        .withMatchLabels(Map.of(NamespaceSelection.NAME_LABEL, "kube-system")).build();
    assertThat(selects(byLabel, "kube-system", Map.of())).isTrue();
    assertThat(selects(byLabel, "kube-public", Map.of())).isFalse();
    LabelSelector in = new LabelSelectorBuilder().addNewMatchExpression().withKey(NamespaceSelection.NAME_LABEL)
        .withOperator("In").withValues("shop", OPERATOR_NS).endMatchExpression().build();
    assertThat(selects(in, OPERATOR_NS, Map.of())).isTrue();
    assertThat(selects(in, "shop", Map.of())).isTrue();
    assertThat(selects(in, "kube-system", Map.of())).isFalse();
    // named, but the rest of the selector must match too
    LabelSelector namedAndProd = new LabelSelectorBuilder().withMatchLabels(Map.of("env", "prod"))
        .addNewMatchExpression().withKey(NamespaceSelection.NAME_LABEL).withOperator("In").withValues("kube-system")
        .endMatchExpression().build();
    assertThat(selects(namedAndProd, "kube-system", Map.of())).isFalse();
    assertThat(selects(namedAndProd, "kube-system", Map.of("env", "prod"))).isTrue();
  }

  @Test
  void theNameLabelIsImpliedWhenTheCacheLacksIt() {
    LabelSelector byName = new LabelSelectorBuilder()
        .withMatchLabels(Map.of(NamespaceSelection.NAME_LABEL, "shop")).build();
    assertThat(selects(byName, "shop", Map.of())).isTrue();
    assertThat(selects(byName, "shop", Map.of(NamespaceSelection.NAME_LABEL, "forged"))).isTrue();
    assertThat(selects(byName, "other", Map.of())).isFalse();
  }
}
