package io.graceful.demo;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.graceful.operator.GracefulOperator;
import io.graceful.operator.config.OperatorConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The demo: no cluster needed. Starts an embedded API server, loads the CRD and examples/, prints the
 * workloads' (Deployments, a StatefulSet, a DaemonSet) hooks and grace periods, runs the real operator in this JVM,
 * waits until it has converged, prints the result and the policies' status, then opts one Deployment out to show
 * the undo.
 *
 * <pre>mvn -B -q -DskipTests package && java -jar demo/target/graceful-demo.jar</pre>
 *
 * <p>{@code --serve-only --kubeconfig FILE}: the API server and examples only, see {@link ServeOnly}.
 */
public final class DemoMain {

  /** The Deployment opted out at the end to show the undo. */
  static final String UNDO_NAMESPACE = "shop";
  static final String UNDO_DEPLOYMENT = "storefront";

  private static final Duration POLL = Duration.ofMillis(200);
  /** Converged also means: nothing changed for this long (the operator writes status after Deployments). */
  private static final Duration QUIET = Duration.ofMillis(1500);
  /** A write to one workload: groups namespace, plural, name. */
  private static final Pattern WORKLOAD_PATH =
      Pattern.compile("/apis/apps/v1/namespaces/([^/]+)/(deployments|statefulsets|daemonsets)/([^/?]+)(\\?.*)?");
  private static final Map<String, String> KIND_OF_PLURAL =
      Map.of("deployments", "Deployment", "statefulsets", "StatefulSet", "daemonsets", "DaemonSet");

  /**
   * What the demo saw; {@link #exitCode()} 0 when the operator converged and the undo worked. {@code writes}: write
   * requests per workload ({@link Tables#key}) from the operator's start to convergence.
   */
  public record Result(int exitCode, List<HasMetadata> before, List<HasMetadata> after,
      List<GenericKubernetesResource> policies, Deployment undone, List<Event> events, Map<String, Long> writes,
      GenericKubernetesResource drained) {
  }

  private DemoMain() {
  }

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "graceful-demo-logback.xml");
    }
    int exitCode;
    try {
      // with arguments: the API server alone, for an operator run elsewhere (ServeOnly); without: the demo
      exitCode = args.length > 0 ? ServeOnly.main(List.of(args), System.out, System.err)
          : run(System.out, Duration.ofSeconds(60)).exitCode();
    } catch (Exception e) {
      System.out.flush();
      System.err.println("demo failed: " + e);
      e.printStackTrace();
      exitCode = 1;
    }
    System.exit(exitCode);
  }

  public static Result run(PrintStream out, Duration timeout) throws Exception {
    try (EmbeddedApiServer server = EmbeddedApiServer.start()) {
      KubernetesClient client = server.client();
      out.printf("Embedded API server (fabric8 mock server, CRUD mode) at %s, reporting Kubernetes %s%n",
          server.url(), client.getKubernetesVersion().getGitVersion());
      PrinterColumns columns = new PrinterColumns(ExampleLoader.createCrd(client));
      List<HasMetadata> loaded = ExampleLoader.createExamples(client);
      out.printf("Created CRD %s and %d objects from examples/ (%s)%n", ExampleLoader.CRD_NAME, loaded.size(),
          String.join(", ", ExampleLoader.EXAMPLES));

      List<HasMetadata> before = workloads(client);
      heading(out, "BEFORE: Deployments, StatefulSets and DaemonSets as their teams wrote them");
      Tables.workloads(out, before, null, null);

      heading(out, "Starting the operator (in this JVM, against the embedded API server)");
      server.drainRequests();
      long started = System.nanoTime();
      GracefulOperator operator = GracefulOperator.start(client, OperatorConfig.defaults().withHttpPort(0)
          // drain measurement on, a verdict from 4 samples: the DRAIN step writes four pods' history
          .withDrain(OperatorConfig.DrainMeasurement.OFF.on().withWindow(Duration.ofHours(24),
              DrainDemo.DRAIN_SECONDS.size())));
      try {
        List<String> missing = awaitConverged(client, timeout);
        if (!missing.isEmpty()) {
          out.println("The operator did not converge within " + timeout.toSeconds() + " s. Still missing:");
          missing.forEach(m -> out.println("  - " + m));
          List<HasMetadata> now = workloads(client);
          List<GenericKubernetesResource> policies = policies(client);
          heading(out, "State at the timeout");
          Tables.workloads(out, now, before, policies);
          out.println();
          Tables.policies(out, columns, policies);
          return new Result(1, before, now, policies, null, events(client), Map.of(), null);
        }
        Map<String, Long> writes = workloadWrites(server.drainRequests());
        List<HasMetadata> after = workloads(client);
        List<GenericKubernetesResource> policies = policies(client);
        out.printf("Converged in %.1f s: %s changed, with %d write requests to them.%n",
            (System.nanoTime() - started) / 1e9, changedByKind(before, after),
            writes.values().stream().mapToLong(Long::longValue).sum());
        heading(out, "AFTER: the same workloads, as the operator left them");
        Tables.workloads(out, after, before, policies);
        heading(out, "GracefulPolicies and ClusterGracefulPolicies (kubectl get gp -A -o wide; kubectl get cgp -o wide)");
        Tables.policies(out, columns, policies);

        heading(out, "UNDO: kubectl annotate deployment -n " + UNDO_NAMESPACE + " " + UNDO_DEPLOYMENT
            + " graceful.io/enabled=false");
        Deployment undone = optOut(client, timeout);
        if (undone == null) {
          out.println("The operator did not revert " + UNDO_NAMESPACE + "/" + UNDO_DEPLOYMENT + " within "
              + timeout.toSeconds() + " s (annotation " + Tables.APPLIED_POLICY + " still present).");
          return new Result(1, before, after, policies, null, events(client), writes, null);
        }
        HasMetadata original = before.stream().filter(w -> Tables.key(w).equals(Tables.key(undone))).findFirst()
            .orElseThrow();
        boolean exact = Objects.equals(Tables.template(original), undone.getSpec().getTemplate());
        out.println(exact
            ? "Reverted: the pod template is exactly what the team wrote (see BEFORE), "
                + "the operator's annotation is gone."
            : "NOT reverted exactly: the pod template differs from BEFORE.");
        Tables.workloads(out, List.of(undone), before, policies(client));

        heading(out, "DRAIN: how long routing took to let go of " + DrainDemo.NAMESPACE + "/" + DrainDemo.DEPLOYMENT
            + "'s terminating pods (GRACEFUL_MEASURE_DRAIN=true)");
        GenericKubernetesResource drained = DrainDemo.run(out, client, timeout);

        List<Event> events = events(client);
        heading(out, "Events emitted by the operator (kubectl get events -A)");
        Tables.events(out, events);
        out.println();
        out.println("Done. On a real cluster: kubectl apply -f crd/; kubectl apply -f examples/; "
            + "java -jar operator/target/graceful-operator.jar (see examples/README.md).");
        return new Result(exact && drained != null ? 0 : 1, before, after, policies, undone, events, writes, drained);
      } finally {
        operator.close();
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ waiting

  /**
   * Waits until every policy reports status for its current generation with a Ready condition and nothing pending,
   * every kind the examples hold has a workload the operator wrote, and nothing has changed for {@link #QUIET}.
   * Returns what is still missing at the timeout (empty: converged).
   *
   * <p>The per-kind check is there because policy status alone cannot tell a kind the operator does not watch: such
   * workloads are simply not counted, and the status converges without them. The examples' shop/web policy governs
   * all three kinds, so each must end with at least one written workload.
   */
  static List<String> awaitConverged(KubernetesClient client, Duration timeout) throws InterruptedException {
    return await(timeout, () -> {
      List<String> missing = new ArrayList<>();
      List<HasMetadata> workloads = workloads(client);
      for (String kind : Tables.KINDS) {
        List<HasMetadata> ofKind = workloads.stream().filter(w -> kind.equals(w.getKind())).toList();
        if (!ofKind.isEmpty() && ofKind.stream().allMatch(w -> "-".equals(Tables.annotation(w, Tables.APPLIED_POLICY,
            "-")))) {
          missing.add("no " + kind + " carries " + Tables.APPLIED_POLICY + " yet");
        }
      }
      for (GenericKubernetesResource p : policies(client)) {
        String name = p.getMetadata().getNamespace() == null ? "cluster/" + p.getMetadata().getName()
            : p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
        Object observed = p.get("status", "observedGeneration");
        Long generation = p.getMetadata().getGeneration();
        if (observed == null) {
          missing.add("policy " + name + ": no status.observedGeneration yet");
        } else if (generation != null && generation != ((Number) observed).longValue()) {
          missing.add("policy " + name + ": status.observedGeneration " + observed + " != metadata.generation "
              + generation);
        } else if (Tables.condition(p, "Ready") == null) {
          missing.add("policy " + name + ": no Ready condition in status.conditions");
        } else if (p.get("status", "pending") instanceof Number pending && pending.intValue() > 0) {
          missing.add("policy " + name + ": status.pending is " + pending + " ("
              + Tables.statusDeployments(p).stream().filter(e -> "Pending".equals(e.get("state")))
                  .map(e -> Tables.kind(e) + " " + e.get("name") + ": " + e.get("message")).toList() + ")");
        }
      }
      return missing;
    }, () -> fingerprint(client));
  }

  /** Opts the Deployment out and waits until the operator has removed its annotation. */
  static Deployment optOut(KubernetesClient client, Duration timeout) throws InterruptedException {
    var deployment = client.apps().deployments().inNamespace(UNDO_NAMESPACE).withName(UNDO_DEPLOYMENT);
    // JSON Patch: the embedded server supports it like a real one (no strategic merge there, docs/rules.md).
    deployment.patch(PatchContext.of(PatchType.JSON),
        "[{\"op\":\"add\",\"path\":\"/metadata/annotations/graceful.io~1enabled\",\"value\":\"false\"}]");
    List<String> missing = await(timeout, () -> {
      Deployment d = deployment.get();
      return "-".equals(Tables.annotation(d, Tables.APPLIED_POLICY, "-")) ? List.of()
          : List.of(UNDO_NAMESPACE + "/" + UNDO_DEPLOYMENT + " still has " + Tables.APPLIED_POLICY);
    }, () -> fingerprint(client));
    return missing.isEmpty() ? deployment.get() : null;
  }

  /**
   * Polls {@code missing} until it is empty and {@code fingerprint} has not changed for {@link #QUIET};
   * returns the last non-empty list of problems on timeout.
   */
  private static List<String> await(Duration timeout, Supplier<List<String>> missing, Supplier<String> fingerprint)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String lastPrint = null;
    long stableSince = System.nanoTime();
    List<String> problems = List.of("nothing checked yet");
    while (System.nanoTime() < deadline) {
      problems = missing.get();
      String print = fingerprint.get();
      if (!Objects.equals(print, lastPrint)) {
        lastPrint = print;
        stableSince = System.nanoTime();
      }
      if (problems.isEmpty()) {
        if (System.nanoTime() - stableSince >= QUIET.toNanos()) {
          return List.of();
        }
        problems = List.of("objects still changing");
      }
      Thread.sleep(POLL.toMillis());
    }
    return problems;
  }

  /** Resource versions of every workload and policy: changes whenever anything is written. */
  private static String fingerprint(KubernetesClient client) {
    StringBuilder print = new StringBuilder();
    workloads(client).forEach(w -> print.append(Tables.key(w)).append('@')
        .append(w.getMetadata().getResourceVersion()).append(' '));
    policies(client).forEach(p -> print.append(p.getMetadata().getName()).append('@')
        .append(p.getMetadata().getResourceVersion()).append(' '));
    return print.toString();
  }

  /** Workloads whose pod template, annotations or labels differ between the two lists, counted by kind. */
  static Map<String, Long> changed(List<HasMetadata> before, List<HasMetadata> after) {
    Map<String, HasMetadata> was = new HashMap<>();
    before.forEach(w -> was.put(Tables.key(w), w));
    Map<String, Long> byKind = new LinkedHashMap<>();
    Tables.KINDS.forEach(kind -> byKind.put(kind, 0L));
    after.stream().filter(w -> {
      HasMetadata old = was.get(Tables.key(w));
      return old == null || !Objects.equals(Tables.template(old), Tables.template(w))
          || !Objects.equals(old.getMetadata().getAnnotations(), w.getMetadata().getAnnotations())
          || !Objects.equals(old.getMetadata().getLabels(), w.getMetadata().getLabels());
    }).forEach(w -> byKind.merge(w.getKind(), 1L, Long::sum));
    return byKind;
  }

  /** "11 workloads (9 Deployments, 1 StatefulSet, 1 DaemonSet)". */
  static String changedByKind(List<HasMetadata> before, List<HasMetadata> after) {
    Map<String, Long> byKind = changed(before, after);
    return byKind.values().stream().mapToLong(Long::longValue).sum() + " workloads (" + byKind.entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey() + (e.getValue() == 1 ? "" : "s")).collect(Collectors.joining(", "))
        + ")";
  }

  /** Write requests (PUT, PATCH, POST, DELETE) per workload, by {@link Tables#key}. */
  static Map<String, Long> workloadWrites(List<RecordedRequest> requests) {
    Map<String, Long> writes = new TreeMap<>();
    for (RecordedRequest r : requests) {
      Matcher m = WORKLOAD_PATH.matcher(r.getPath());
      if (List.of("PUT", "PATCH", "POST", "DELETE").contains(r.getMethod()) && m.matches()) {
        writes.merge(Tables.key(KIND_OF_PLURAL.get(m.group(2)), m.group(1), m.group(3)), 1L, Long::sum);
      }
    }
    return writes;
  }

  // ------------------------------------------------------------------------------------------------ reading

  /**
   * Every workload of a kind the demo shows, in {@link Tables#sorted} order. The items are typed (Deployment,
   * StatefulSet, DaemonSet), and their kind is set: {@link Tables#key} relies on it.
   */
  static List<HasMetadata> workloads(KubernetesClient client) {
    List<HasMetadata> all = new ArrayList<>(client.apps().deployments().inAnyNamespace().list().getItems());
    all.addAll(client.apps().statefulSets().inAnyNamespace().list().getItems());
    all.addAll(client.apps().daemonSets().inAnyNamespace().list().getItems());
    return Tables.sorted(all);
  }

  /** The GracefulPolicies and the ClusterGracefulPolicies (whose rows the tables show with an empty namespace). */
  static List<GenericKubernetesResource> policies(KubernetesClient client) {
    List<GenericKubernetesResource> all = new ArrayList<>(ExampleLoader.policies(client).inAnyNamespace().list()
        .getItems());
    all.addAll(ExampleLoader.clusterPolicies(client).list().getItems());
    return Tables.sortedPolicies(all);
  }

  static List<Event> events(KubernetesClient client) {
    return client.v1().events().inAnyNamespace().list().getItems();
  }

  private static void heading(PrintStream out, String title) {
    out.println();
    out.println("== " + title);
    out.println();
  }
}
