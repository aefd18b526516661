package io.graceful.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.api.v1alpha1.GracefulPolicyStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden-file tests of the planner (in the style of Kroxylicious' DerivedResourcesTest): every folder under
 * {@code src/test/resources/golden/} is one case with
 * <ul>
 *   <li>{@code input.yaml}: a multi-document YAML of workloads (Deployments, StatefulSets, DaemonSets, Argo
 *       Rollouts), GracefulPolicies, ClusterGracefulPolicies and Namespaces (their
 *       labels, for the cluster policies' namespace selectors; the operator's namespace is
 *       {@link #OPERATOR_NAMESPACE});</li>
 *   <li>{@code context.yaml} (optional): {@code nativeSleepSupported: true|false} (default true) and
 *       {@code maxReapplies} (default 3);</li>
 *   <li>{@code expected.yaml}: for each workload, in input order, the plan (change, governing policy, action,
 *       verdicts, notices, summary), the workload after applying the plan's JSON Patch, and the change a second
 *       planning of that result asks for (NONE when idempotent); then each policy's status computed from those
 *       second plans (the state once the writes landed).</li>
 * </ul>
 * The comparison is on the exact YAML text.
 *
 * <p>To (re)generate the expected files after a deliberate behaviour change, run
 * <pre>
 *   mvn -o test -pl operator -Dtest=GoldenPlanningTest -Dgraceful.regenerate=true
 * </pre>
 * then READ the diff of {@code expected.yaml} and check it against docs/rules.md before committing it.
 */
class GoldenPlanningTest {
  static final Path GOLDEN = Path.of("src", "test", "resources", "golden");
  static final String NOW = "2025-01-01T00:00:00Z";
  private static final boolean REGENERATE = Boolean.getBoolean("graceful.regenerate");
  private static final KubernetesSerialization YAML = new KubernetesSerialization();
  /** Readable, stable YAML: no document marker, minimal quotes, no folded lines. */
  private static final YAMLMapper TEXT = YAMLMapper.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .disable(YAMLGenerator.Feature.SPLIT_LINES)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
      .build();

  static {
    YAML.registerKubernetesResource(GracefulPolicy.class);
    YAML.registerKubernetesResource(io.graceful.operator.api.v1alpha1.ClusterGracefulPolicy.class);
    YAML.registerKubernetesResource(io.graceful.operator.api.argo.ArgoRollout.class);
  }

  /** The operator's namespace in every case: cluster policies select it only explicitly (R12). */
  static final String OPERATOR_NAMESPACE = "graceful-system";

  @TestFactory
  Stream<DynamicTest> goldenCases() throws IOException {
    List<Path> cases;
    try (Stream<Path> s = Files.list(GOLDEN)) {
      cases = s.filter(Files::isDirectory).sorted().toList();
    }
    assertThat(cases).as("golden cases under %s", GOLDEN.toAbsolutePath()).hasSizeGreaterThanOrEqualTo(12);
    return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
  }

  @Test
  void everyCaseHasAnInputAndAnExpectedFile() throws IOException {
    try (Stream<Path> s = Files.list(GOLDEN)) {
      for (Path dir : s.filter(Files::isDirectory).toList()) {
        assertThat(dir.resolve("input.yaml")).exists();
        if (!REGENERATE) {
          assertThat(dir.resolve("expected.yaml")).exists();
        }
      }
    }
  }

  private static void check(Path dir) throws IOException {
    String actual = render(dir);
    Path expectedFile = dir.resolve("expected.yaml");
    if (REGENERATE) {
      Files.writeString(expectedFile, actual, StandardCharsets.UTF_8);
      return;
    }
    assertThat(expectedFile).as("missing %s: run with -Dgraceful.regenerate=true", expectedFile).exists();
    assertThat(actual).isEqualTo(Files.readString(expectedFile, StandardCharsets.UTF_8));
  }

  static String render(Path dir) throws IOException {
    PlanningContext context = context(dir.resolve("context.yaml"));
    List<HasMetadata> workloads = new ArrayList<>();
    List<GracefulPolicy> policies = new ArrayList<>();
    List<PolicySnapshot> clusterPolicies = new ArrayList<>();
    Map<String, Map<String, String>> namespaceLabels = new LinkedHashMap<>();
    for (HasMetadata r : input(dir)) {
      if (r instanceof Deployment || r instanceof StatefulSet || r instanceof DaemonSet
          || r instanceof io.graceful.operator.api.argo.ArgoRollout) {
        workloads.add(r);
      } else if (r instanceof GracefulPolicy p) {
        policies.add(p);
      } else if (r instanceof io.graceful.operator.api.v1alpha1.ClusterGracefulPolicy c) {
        clusterPolicies.add(PolicySnapshot.cluster(c.getMetadata().getName(), c.getMetadata().getCreationTimestamp(),
            1, c.getSpec(), c.getSpec().getNamespaceSelector()));
      } else if (r instanceof io.fabric8.kubernetes.api.model.Namespace ns) {
        namespaceLabels.put(ns.getMetadata().getName(), ns.getMetadata().getLabels());
      } else {
        throw new IllegalArgumentException(dir + ": unexpected document " + r.getKind());
      }
    }
    List<PolicySnapshot> snapshots = new ArrayList<>(policies.stream().map(GoldenPlanningTest::snapshot).toList());
    snapshots.addAll(clusterPolicies);

    Map<String, Object> out = new LinkedHashMap<>();
    // LinkedHashMap, never Map.of: Map.of iterates in a per-JVM random order and the text must be stable
    Map<String, Object> contextOut = new LinkedHashMap<>();
    contextOut.put("nativeSleepSupported", context.autoUsesSleep());
    contextOut.put("maxReapplies", context.maxReapplies());
    out.put("context", contextOut);
    List<Object> results = new ArrayList<>();
    List<WorkloadPlan> settled = new ArrayList<>();
    for (HasMetadata d : workloads) {
      NamespaceView namespace = new NamespaceView(namespaceLabels.get(d.getMetadata().getNamespace()),
          OPERATOR_NAMESPACE);
      WorkloadPlan plan = WorkloadPlanner.plan(CoreFixtures.workload(d), snapshots, context, namespace);
      HasMetadata after = CoreFixtures.applyAny(plan, d);
      WorkloadPlan replan = WorkloadPlanner.plan(CoreFixtures.workload(after), snapshots, context, namespace);
      settled.add(replan);
      Map<String, Object> r = new LinkedHashMap<>();
      // the kind's name as the key ("deployment: web", "statefulSet: db"): the cases written before other kinds
      // were served read as they did
      String kind = plan.ref().kind().name();
      r.put(Character.toLowerCase(kind.charAt(0)) + kind.substring(1), d.getMetadata().getName());
      r.put("change", plan.change().name());
      r.put("governingPolicy", plan.governingPolicy());
      r.put("action", plan.action() == null ? null : plan.action().name());
      r.put("summary", plan.summary());
      List<Object> verdicts = new ArrayList<>();
      for (PolicyVerdict v : plan.verdicts()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("policy", v.policy());
        m.put("state", v.state().name());
        m.put("reason", v.reason());
        m.put("message", v.message());
        verdicts.add(m);
      }
      r.put("verdicts", verdicts);
      List<Object> notices = new ArrayList<>();
      for (Notice n : plan.notices()) {
        Map<String, Object> notice = new LinkedHashMap<>();
        notice.put("reason", n.reason());
        notice.put("message", n.message());
        notices.add(notice);
      }
      r.put("notices", notices);
      r.put("patchOperations", plan.patch().size());
      r.put("replanChange", replan.change().name());
      r.put("after", after);
      results.add(r);
    }
    out.put("workloads", results);
    List<Object> statuses = new ArrayList<>();
    for (PolicySnapshot p : snapshots) {
      GracefulPolicyStatus status = PolicyStatusCalculator.compute(p, settled, null,
          context.nativeSleep(), NOW, RolloutHolds.NONE);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("policy", p.id());
      m.put("statusAfterWrites", status);
      statuses.add(m);
    }
    out.put("policies", statuses);
    return TEXT.writeValueAsString(CoreFixtures.JSON.valueToTree(out));
  }

  /** The documents of a case's {@code input.yaml}, in order (comment-only documents left out). */
  static List<HasMetadata> input(Path dir) throws IOException {
    List<HasMetadata> out = new ArrayList<>();
    for (String doc : Files.readString(dir.resolve("input.yaml"), StandardCharsets.UTF_8).split("(?m)^---\\s*$")) {
      if (!doc.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
        out.add(YAML.unmarshal(doc));
      }
    }
    return out;
  }

  private static PlanningContext context(Path file) throws IOException {
    if (!Files.exists(file)) {
      return new PlanningContext(true, 3);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = YAML.unmarshal(Files.readString(file, StandardCharsets.UTF_8), Map.class);
    boolean nativeSleep = (Boolean) m.getOrDefault("nativeSleepSupported", true);
    int max = ((Number) m.getOrDefault("maxReapplies", 3)).intValue();
    return new PlanningContext(nativeSleep, max);
  }

  static PolicySnapshot snapshot(GracefulPolicy p) {
    return new PolicySnapshot(p.getMetadata().getNamespace(), p.getMetadata().getName(),
        p.getMetadata().getCreationTimestamp(),
        p.getMetadata().getGeneration() == null ? 1 : p.getMetadata().getGeneration(), p.getSpec());
  }
}
