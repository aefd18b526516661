package io.graceful.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The annotation value of a policy reference reads back as the same reference, from the workload's namespace. */
class PolicyRefProperties {

  @Property
  void parsingTheAnnotationValueGivesTheReferenceBack(@ForAll("refs") PolicyRef ref, @ForAll("names") String other) {
    // a namespaced policy is named relative to the workload's namespace (its own); a cluster one from anywhere
    String workloadNamespace = ref.isCluster() ? other : ref.namespace();
    assertThat(PolicyRef.parse(ref.annotationValue(), workloadNamespace)).isEqualTo(ref);
  }

  @Property
  void keysAreDistinctForDistinctReferences(@ForAll("refs") PolicyRef a, @ForAll("refs") PolicyRef b) {
    assertThat(a.key().equals(b.key())).isEqualTo(a.equals(b));
  }

  @Provide
  Arbitrary<PolicyRef> refs() {
    Arbitrary<PolicyRef> namespaced = Combinators.combine(names(), names()).as(PolicyRef::namespaced);
    Arbitrary<PolicyRef> cluster = names().map(PolicyRef::cluster);
    return Arbitraries.oneOf(namespaced, cluster);
  }

  /** DNS labels, as namespaces and policy names are; "cluster" included, it is a valid namespace name. */
  @Provide
  Arbitrary<String> names() {
    Arbitrary<String> label = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789-")
        .ofMinLength(1).ofMaxLength(12)
        .filter(s -> Character.isLetterOrDigit(s.charAt(0)) && Character.isLetterOrDigit(s.charAt(s.length() - 1)));
    return Arbitraries.oneOf(label, Arbitraries.of("cluster", "web", "default"));
  }
}
