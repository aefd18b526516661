package io.graceful.benchmark;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import io.graceful.operator.api.v1alpha1.PreStopSpec;
import io.graceful.operator.api.v1alpha1.ClusterGracefulPolicy;
import io.graceful.operator.api.v1alpha1.ClusterGracefulPolicySpec;
import io.graceful.operator.core.GracefulAnnotations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's cluster, deterministic: {@code namespaces} namespaces of {@code perNamespace} Deployments with mixed
 * shapes, one policy per namespace and a few overlapping ones. Used by the scale benchmark (created on the mock API
 * server) and by the JMH benchmark (planned in memory), so both measure the same mix.
 *
 * <p>Shapes, by a per-Deployment number h: 1-3 containers; a foreign preStop hook on the first container for 2 in 8
 * (half a recognisable {@code sh -c "sleep 5"}, half an unrecognisable drain script); TGPS 60 or 15 for 2 in 5, unset
 * otherwise; opted out ({@code graceful.io/enabled: "false"}) for 1 in 11; a sleep-seconds override for 1 in 13; the
 * last Deployment of each namespace is {@code tier: batch}, selected by no policy.
 *
 * <p>Policies: {@code standard} in every namespace (tier In web, api, worker; existingHook Replace in 1 namespace in 7);
 * {@code web-first} (priority 10, tier=web) in 1 namespace in 10, overlapping {@code standard}, whose first Deployment
 * names {@code standard} with {@code graceful.io/policy} so the annotation beats priority; {@code audit-workers}
 * (Audit, priority -5, tier=worker) in 1 namespace in 50.
 *
 * <p>Kinds ({@code --mix D:S:DS}, percentages): each (namespace, index) is one workload of one kind, drawn from a hash
 * of its position so that kinds do not line up with namespaces or shapes; a StatefulSet or DaemonSet carries the
 * same labels, annotations and pod template as the Deployment it replaces. Every policy then lists all three kinds
 * in {@code spec.workloads}. Names stay unique per namespace across kinds, so "namespace/name" still identifies a
 * workload in the benchmark's bookkeeping. The default mix, 100:0:0, is the Deployment-only cluster, object for
 * object (policies without {@code spec.workloads}).
 *
 * <p>A mixed cluster also has one ClusterGracefulPolicy, {@code platform} ({@link #clusterPolicies()}, created before
 * the namespaces): every namespace ({@code namespaceSelector: {}}), tier In web, api, worker, all three kinds, sleep 8 s,
 * shutdown 12 s. The namespaces {@code n % 4 == 1} have no {@code standard} policy, so there it governs; everywhere
 * else the namespaced policies override it (Skipped/OverriddenByNamespacePolicy on its status), the case of a
 * platform default with team refinements.
 */
public final class Workload {
  public static final String STANDARD = "standard";
  public static final String WEB_FIRST = "web-first";
  public static final String AUDIT = "audit-workers";
  public static final String PLATFORM = "platform";
  private static final String[] TIERS = {"web", "api", "worker"};
  private static final String[] CONTAINERS = {"app", "log-shipper", "metrics"};

  /** The kinds of the mix, in the order of its percentages. */
  public static final List<String> KINDS = List.of("Deployment", "StatefulSet", "DaemonSet");

  private final int namespaces;
  private final int perNamespace;
  /** Percent of Deployments, StatefulSets, DaemonSets; sums to 100. */
  private final int[] mix;

  public Workload(int namespaces, int perNamespace) {
    this(namespaces, perNamespace, new int[] {100, 0, 0});
  }

  public Workload(int namespaces, int perNamespace, int[] mix) {
    if (mix.length != 3 || mix[0] < 0 || mix[1] < 0 || mix[2] < 0 || mix[0] + mix[1] + mix[2] != 100) {
      throw new IllegalArgumentException("--mix must be three percentages D:S:DS summing to 100, e.g. 70:20:10");
    }
    this.namespaces = namespaces;
    this.perNamespace = perNamespace;
    this.mix = mix.clone();
  }

  /** "70:20:10" -> {70, 20, 10}. */
  public static int[] parseMix(String text) {
    String[] parts = text.split(":");
    if (parts.length != 3) {
      throw new IllegalArgumentException("--mix must be three percentages D:S:DS summing to 100, e.g. 70:20:10");
    }
    return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
  }

  /** Whether any workload is not a Deployment: then every policy lists all three kinds. */
  public boolean mixed() {
    return mix[0] != 100;
  }

  public String mixText() {
    return mix[0] + ":" + mix[1] + ":" + mix[2];
  }

  /** The kind of workload {@code i} of namespace {@code n}. */
  public String kind(int n, int i) {
    if (!mixed()) {
      return KINDS.get(0);
    }
    // a different hash input than the shapes' (n * 7919 + i), so that kind and shape are independent
    int percentile = mix(n * perNamespace + i + 0x2545F491) % 100;
    return percentile < mix[0] ? KINDS.get(0) : percentile < mix[0] + mix[1] ? KINDS.get(1) : KINDS.get(2);
  }

  /** Cluster-scoped policies: the mixed cluster's ClusterGracefulPolicy {@value #PLATFORM}; none otherwise. */
  public List<HasMetadata> clusterPolicies() {
    if (!mixed()) {
      return List.of();
    }
    ClusterGracefulPolicySpec spec = new ClusterGracefulPolicySpec();
    spec.setNamespaceSelector(new io.fabric8.kubernetes.api.model.LabelSelector());   // {}: every namespace
    spec.setSelector(new LabelSelectorBuilder().withMatchExpressions(new LabelSelectorRequirementBuilder()
        .withKey("tier").withOperator("In").withValues(List.of(TIERS)).build()).build());
    spec.setPreStop(new PreStopSpec(8L, null));
    spec.setShutdownSeconds(12L);
    spec.setWorkloads(KINDS);
    ClusterGracefulPolicy p = new ClusterGracefulPolicy();
    p.setMetadata(new ObjectMetaBuilder().withName(PLATFORM).build());
    p.setSpec(spec);
    return List.of(p);
  }

  /** The mixed cluster's namespaces without a {@code standard} policy, governed by the cluster policy. */
  public boolean clusterPolicyOnly(int n) {
    return mixed() && n % 4 == 1;
  }

  public int namespaces() {
    return namespaces;
  }

  public int perNamespace() {
    return perNamespace;
  }

  public static String namespace(int n) {
    return String.format("bench-%04d", n);
  }

  public Namespace namespaceObject(int n) {
    return new NamespaceBuilder().withNewMetadata().withName(namespace(n)).endMetadata().build();
  }

  public List<GracefulPolicy> policies(int n) {
    String ns = namespace(n);
    List<GracefulPolicy> out = new ArrayList<>();
    GracefulPolicySpec standard = spec(5 + n % 10, 10L + (n % 3) * 5L);
    standard.setSelector(new LabelSelectorBuilder().withMatchExpressions(new LabelSelectorRequirementBuilder()
        .withKey("tier").withOperator("In").withValues(List.of(TIERS)).build()).build());
    if (n % 7 == 0) {
      standard.setExistingHook("Replace");
    }
    if (!clusterPolicyOnly(n)) {
      out.add(policy(ns, STANDARD, standard));
    }
    if (n % 10 == 0) {
      GracefulPolicySpec web = spec(20, 15L);
      web.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("tier", "web")).build());
      web.setPriority(10L);
      web.setTerminationGracePeriodSeconds(40L);
      out.add(policy(ns, WEB_FIRST, web));
    }
    if (n % 50 == 25) {
      GracefulPolicySpec audit = spec(30, 30L);
      audit.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("tier", "worker")).build());
      audit.setPriority(-5L);
      audit.setMode("Audit");
      out.add(policy(ns, AUDIT, audit));
    }
    if (mixed()) {
      out.forEach(p -> p.getSpec().setWorkloads(KINDS));
    }
    return out;
  }

  /** The namespace's workloads, each of {@link #kind}: a Deployment, or a StatefulSet or DaemonSet made from one. */
  public List<HasMetadata> workloads(int n) {
    List<HasMetadata> out = new ArrayList<>(perNamespace);
    for (int i = 0; i < perNamespace; i++) {
      Deployment d = deployment(n, i);
      out.add(switch (kind(n, i)) {
        case "StatefulSet" -> new StatefulSetBuilder().withMetadata(d.getMetadata()).withNewSpec()
            .withServiceName(d.getMetadata().getName()).withReplicas(d.getSpec().getReplicas())
            .withSelector(d.getSpec().getSelector()).withTemplate(d.getSpec().getTemplate()).endSpec().build();
        case "DaemonSet" -> new DaemonSetBuilder().withMetadata(d.getMetadata()).withNewSpec()
            .withSelector(d.getSpec().getSelector()).withTemplate(d.getSpec().getTemplate()).endSpec().build();
        default -> d;
      });
    }
    return out;
  }

  public List<Deployment> deployments(int n) {
    List<Deployment> out = new ArrayList<>(perNamespace);
    for (int i = 0; i < perNamespace; i++) {
      out.add(deployment(n, i));
    }
    return out;
  }

  public Deployment deployment(int n, int i) {
    int h = mix(n * 7919 + i);
    String name = String.format("app-%03d", i);
    String tier = i == perNamespace - 1 ? "batch" : TIERS[h % 3];
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app", name);
    labels.put("tier", tier);
    Map<String, String> annotations = new LinkedHashMap<>();
    if (h % 11 == 4) {
      annotations.put(GracefulAnnotations.ENABLED, "false");
    }
    if (h % 13 == 5) {
      annotations.put(GracefulAnnotations.SLEEP_SECONDS, "7");
    }
    if (n % 10 == 0 && i == 0) {
      annotations.put(GracefulAnnotations.POLICY, STANDARD);
    }
    int count = 1 + (h >>> 4) % 3;
    List<Container> containers = new ArrayList<>();
    for (int c = 0; c < count; c++) {
      ContainerBuilder b = new ContainerBuilder().withName(CONTAINERS[c])
          .withImage("registry.example.com/" + CONTAINERS[c] + ":1." + (h % 17))
          .addNewPort().withContainerPort(8080 + c).endPort()
          .withNewResources().addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("100m"))
          .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity("128Mi")).endResources();
      if (c == 0 && (h >>> 8) % 8 == 3) {
        b.withNewLifecycle().withPreStop(exec("sh", "-c", "sleep 5")).endLifecycle();
      } else if (c == 0 && (h >>> 8) % 8 == 6) {
        b.withNewLifecycle().withPreStop(exec("/app/drain.sh", "--timeout=20")).endLifecycle();
      }
      containers.add(b.build());
    }
    Long tgps = switch ((h >>> 12) % 5) {
      case 1 -> 60L;
      case 2 -> 15L;
      default -> null;
    };
    return new DeploymentBuilder()
        .withMetadata(new ObjectMetaBuilder().withNamespace(namespace(n)).withName(name).withLabels(labels)
            .withAnnotations(annotations.isEmpty() ? null : annotations).build())
        .withNewSpec()
          .withReplicas(1 + h % 3)
          .withNewSelector().addToMatchLabels("app", name).endSelector()
          .withNewTemplate()
            .withNewMetadata().addToLabels("app", name).addToLabels("tier", tier).endMetadata()
            .withNewSpec().withContainers(containers).withTerminationGracePeriodSeconds(tgps).endSpec()
          .endTemplate()
        .endSpec()
        .build();
  }

  private static LifecycleHandler exec(String... command) {
    return new LifecycleHandlerBuilder().withNewExec().withCommand(command).endExec().build();
  }

  private static GracefulPolicySpec spec(long sleep, Long shutdown) {
    GracefulPolicySpec spec = new GracefulPolicySpec();
    spec.setPreStop(new PreStopSpec(sleep, null));
    spec.setShutdownSeconds(shutdown);
    return spec;
  }

  private static GracefulPolicy policy(String ns, String name, GracefulPolicySpec spec) {
    GracefulPolicy p = new GracefulPolicy();
    p.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
    p.setSpec(spec);
    return p;
  }

  /** A cheap integer hash so that shapes do not line up with indexes. */
  private static int mix(int x) {
    x ^= x >>> 16;
    x *= 0x7feb352d;
    x ^= x >>> 15;
    x *= 0x846ca68b;
    x ^= x >>> 16;
    return x & 0x7fffffff;
  }
}
