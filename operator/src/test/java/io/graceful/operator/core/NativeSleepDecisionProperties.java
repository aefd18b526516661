package io.graceful.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.graceful.operator.core.NativeSleepDecision.NodeKubelet;
import io.graceful.operator.core.NativeSleepDecision.Nodes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Version parsing (with the suffixes distributions put on kubelet versions) and the decision: native sleep iff every
 * reporting node's kubelet is >= 1.30, whatever the order of the nodes; the API server decides only without nodes.
 */
class NativeSleepDecisionProperties {
  private static final Optional<KubeVersion> V1_31 = Optional.of(new KubeVersion(1, 31));

  /** Build metadata and pre-release suffixes seen on managed clusters and distributions. */
  @Provide
  Arbitrary<String> suffixes() {
    return Arbitraries.oneOf(
        Arbitraries.of("", "-eks-abc", "-eks-a8f3c2d", "+k3s1", "+rke2r1", "-gke.1286000", "-gke.100.2", "+vmware.1",
            "-rc.0", "-alpha.1", "-beta.2", "-dirty", "-aliyun.1", "+", "-", ".", "_x", " "),
        Arbitraries.strings().withCharRange('a', 'z').withChars('-', '+', '.', '_').ofMaxLength(12)
            .filter(s -> s.isEmpty() || !Character.isDigit(s.charAt(0))));
  }

  @Property
  void parsesMajorMinorWhateverFollows(@ForAll @IntRange(min = 0, max = 99) int major,
      @ForAll @IntRange(min = 0, max = 999) int minor, @ForAll @IntRange(min = 0, max = 99) int patch,
      @ForAll("suffixes") String suffix, @ForAll boolean withV, @ForAll boolean withPatch) {
    String text = (withV ? "v" : "") + major + "." + minor + (withPatch ? "." + patch : "") + suffix;
    assertThat(KubeVersion.parse(text)).as(text).contains(new KubeVersion(major, minor));
    assertThat(KubeVersion.parse(text).orElseThrow().runsNativeSleep()).as(text)
        .isEqualTo(major > 1 || major == 1 && minor >= 30);
  }

  @Property
  void garbageParsesToNothing(@ForAll("garbage") String text) {
    assertThat(KubeVersion.parse(text)).as("'%s'", text).isEmpty();
  }

  @Provide
  Arbitrary<String> garbage() {
    return Arbitraries.oneOf(
        Arbitraries.of("", " ", "v", "vX.Y", "unknown", "1", "v1", "v1.", "v.30", "1..30", "x1.30", "latest"),
        Arbitraries.strings().withCharRange('a', 'z').withChars('-', '+', '_').ofMaxLength(10)
            .filter(s -> !s.startsWith("v") || s.length() < 2 || !Character.isDigit(s.charAt(1))));
  }

  @Example
  void realWorldVersions() {
    assertThat(KubeVersion.parse("v1.29.4")).contains(new KubeVersion(1, 29));
    assertThat(KubeVersion.parse("v1.31.0-eks-abc")).contains(new KubeVersion(1, 31));
    assertThat(KubeVersion.parse("v1.30.2+k3s1")).contains(new KubeVersion(1, 30));
    assertThat(KubeVersion.parse("v1.28.15-gke.1286000")).contains(new KubeVersion(1, 28));
    assertThat(KubeVersion.parse("  v1.30 ")).contains(new KubeVersion(1, 30));
    assertThat(KubeVersion.parse("v1.3")).contains(new KubeVersion(1, 3));
    assertThat(KubeVersion.parse("v1.3").orElseThrow().runsNativeSleep()).as("1.3 is not 1.30").isFalse();
    assertThat(KubeVersion.parse("v2.0.0").orElseThrow().runsNativeSleep()).isTrue();
    assertThat(KubeVersion.of("1", "30+")).contains(new KubeVersion(1, 30));
    assertThat(KubeVersion.of("1", "")).isEmpty();
    assertThat(KubeVersion.of(null, "31")).isEmpty();
    assertThat(new KubeVersion(1, 31)).hasToString("v1.31");
  }

  @Provide
  Arbitrary<List<NodeKubelet>> clusters() {
    Arbitrary<String> versions = Arbitraries.oneOf(
        Combinators.combine(Arbitraries.integers().between(25, 36), Arbitraries.integers().between(0, 20),
            Arbitraries.of("", "-eks-abc", "+k3s1", "-gke.1"))
            .as((minor, patch, suffix) -> "v1." + minor + "." + patch + suffix),
        Arbitraries.of("", "garbage"), Arbitraries.just(null));
    return Combinators.combine(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(6), versions)
        .as(NodeKubelet::new).list().ofMaxSize(12);
  }

  @Property
  void nativeSleepIffEveryReportingKubeletRunsIt(@ForAll("clusters") List<NodeKubelet> nodes, @ForAll long seed) {
    NativeSleepDecision d = NativeSleepDecision.decide(nodes, V1_31, Nodes.READABLE);
    List<NodeKubelet> reporting = nodes.stream()
        .filter(n -> n.kubeletVersion() != null && !n.kubeletVersion().isBlank()).toList();
    boolean every = reporting.stream().allMatch(n -> KubeVersion.parse(n.kubeletVersion())
        .map(KubeVersion::runsNativeSleep).orElse(false));
    assertThat(d.autoUsesSleep()).isEqualTo(every);
    assertThat(d.sleepAccepted()).as("the API server decides what it accepts").isTrue();
    assertThat(d.reason()).isEqualTo(reporting.isEmpty() ? NativeSleepDecision.NO_NODES
        : every ? NativeSleepDecision.ALL_KUBELETS_RUN_SLEEP : NativeSleepDecision.OLD_KUBELET);
    if (!every) {
      assertThat(reporting).as("the message names a node with an old kubelet")
          .anySatisfy(n -> assertThat(d.message()).contains("node " + n.node() + " "));
    }
    List<NodeKubelet> shuffled = new ArrayList<>(nodes);
    Collections.shuffle(shuffled, new Random(seed));
    assertThat(NativeSleepDecision.decide(shuffled, V1_31, Nodes.READABLE)).as("order does not matter")
        .isEqualTo(d);
  }

  @Property
  void anOldKubeletJoiningNeverEnablesNativeSleep(@ForAll("clusters") List<NodeKubelet> nodes,
      @ForAll @IntRange(min = 0, max = 29) int minor) {
    List<NodeKubelet> more = new ArrayList<>(nodes);
    more.add(new NodeKubelet("joining", "v1." + minor + ".3"));
    NativeSleepDecision d = NativeSleepDecision.decide(more, V1_31, Nodes.READABLE);
    assertThat(d.autoUsesSleep()).isFalse();
    assertThat(d.reason()).isEqualTo(NativeSleepDecision.OLD_KUBELET);
  }

  @Property
  void withoutNodesTheApiServerDecides(@ForAll("clusters") List<NodeKubelet> nodes,
      @ForAll @IntRange(min = 20, max = 40) int serverMinor, @ForAll boolean forbidden) {
    Nodes visibility = forbidden ? Nodes.FORBIDDEN : Nodes.NOT_LISTED;
    NativeSleepDecision d = NativeSleepDecision.decide(nodes, Optional.of(new KubeVersion(1, serverMinor)),
        visibility);
    assertThat(d.autoUsesSleep()).as("nodes not looked at").isEqualTo(serverMinor >= 30);
    assertThat(d.sleepAccepted()).isEqualTo(serverMinor >= 30);
    assertThat(d.reason()).isEqualTo(forbidden ? NativeSleepDecision.NODES_NOT_READABLE
        : NativeSleepDecision.NODES_NOT_LISTED);
    assertThat(d.message()).contains("API server v1." + serverMinor);
  }

  @Example
  void messages() {
    assertThat(NativeSleepDecision.decide(List.of(new NodeKubelet("worker-1", "v1.31.0-eks-abc"),
        new NodeKubelet("worker-7", "v1.29.4"), new NodeKubelet("worker-8", "v1.29.4")), V1_31, Nodes.READABLE))
        .isEqualTo(new NativeSleepDecision(false, true, NativeSleepDecision.OLD_KUBELET,
            "node worker-7 runs kubelet v1.29.4, which ignores the native sleep action (needs >= 1.30): exec sleep"));
    assertThat(NativeSleepDecision.decide(List.of(new NodeKubelet("b", "v1.31.0"), new NodeKubelet("a", "v1.30.2+k3s1")),
        V1_31, Nodes.READABLE).message())
        .isEqualTo("all nodes run kubelet >= 1.30 (oldest v1.30.2+k3s1 on node a): native sleep action");
    assertThat(NativeSleepDecision.decide(List.of(new NodeKubelet("odd", "vNext"), new NodeKubelet("a", "v1.20.0")),
        V1_31, Nodes.READABLE).message()).as("unreadable counts as the oldest").startsWith("node odd reports "
        + "kubelet version 'vNext', which cannot be read");
    assertThat(NativeSleepDecision.decide(List.of(), V1_31, Nodes.FORBIDDEN).message())
        .isEqualTo("nodes not readable (list nodes is forbidden); API server v1.31 decides: native sleep action");
    assertThat(NativeSleepDecision.decide(List.of(), Optional.empty(), Nodes.READABLE))
        .isEqualTo(new NativeSleepDecision(false, false, NativeSleepDecision.NO_NODES,
            "no node reports a kubelet version; API server version unknown: exec sleep"));
    assertThat(NativeSleepDecision.decide(List.of(new NodeKubelet("a", "v1.30.1")), Optional.empty(), Nodes.READABLE))
        .as("kubelets are never newer than their API server").satisfies(d -> {
          assertThat(d.autoUsesSleep()).isTrue();
          assertThat(d.sleepAccepted()).isTrue();
        });
    assertThat(NativeSleepDecision.decide(List.of(new NodeKubelet("a", "v1.30.1")),
        Optional.of(new KubeVersion(1, 29)), Nodes.READABLE).autoUsesSleep()).as("an API server that refuses it")
        .isFalse();
  }

  @Example
  void onlyTheActionOrAcceptanceChangesPlans() {
    NativeSleepDecision a = NativeSleepDecision.decide(List.of(new NodeKubelet("a", "v1.31.0")), V1_31, Nodes.READABLE);
    NativeSleepDecision b = NativeSleepDecision.decide(List.of(new NodeKubelet("b", "v1.30.0")), V1_31, Nodes.READABLE);
    NativeSleepDecision old = NativeSleepDecision.decide(List.of(new NodeKubelet("c", "v1.29.0")), V1_31,
        Nodes.READABLE);
    assertThat(a).isNotEqualTo(b);
    assertThat(a.plansDifferFrom(b)).isFalse();
    assertThat(a.plansDifferFrom(old)).isTrue();
    assertThat(a.plansDifferFrom(null)).isTrue();
  }
}
