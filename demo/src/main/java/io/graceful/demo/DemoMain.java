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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The demo: no cluster needed. Starts an embedded API server, loads the CRD and examples/, prints the
 * Deployments' hooks and grace periods, runs the real operator in this JVM, waits until it has converged,
 * prints the result and the policies' status, then opts one Deployment out to show the undo.
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
  private static final Pattern DEPLOYMENT_PATH =
      Pattern.compile("/apis/apps/v1/namespaces/[^/]+/deployments/[^/?]+(\\?.*)?");

  /** What the demo saw; {@link #exitCode()} 0 when the operator converged and the undo worked. */
  public record Result(int exitCode, List<Deployment> before, List<Deployment> after,
      List<GenericKubernetesResource> policies, Deployment undone, List<Event> events) {
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

      List<Deployment> before = deployments(client);
      heading(out, "BEFORE: Deployments as their teams wrote them");
      Tables.deployments(out, before, null, null);

      heading(out, "Starting the operator (in this JVM, against the embedded API server)");
      server.drainRequests();
      long started = System.nanoTime();
      GracefulOperator operator = GracefulOperator.start(client, OperatorConfig.defaults().withHttpPort(0));
      try {
        List<String> missing = awaitConverged(client, timeout);
        if (!missing.isEmpty()) {
          out.println("The operator did not converge within " + timeout.toSeconds() + " s. Still missing:");
          missing.forEach(m -> out.println("  - " + m));
          List<Deployment> now = deployments(client);
          List<GenericKubernetesResource> policies = policies(client);
          heading(out, "State at the timeout");
          Tables.deployments(out, now, before, policies);
          out.println();
          Tables.policies(out, columns, policies);
          return new Result(1, before, now, policies, null, events(client));
        }
        long writes = server.drainRequests().stream().filter(DemoMain::isDeploymentWrite).count();
        List<Deployment> after = deployments(client);
        List<GenericKubernetesResource> policies = policies(client);
        out.printf("Converged in %.1f s: %d Deployments changed, with %d write requests to Deployments.%n",
            (System.nanoTime() - started) / 1e9, changed(before, after), writes);
        heading(out, "AFTER: the same Deployments, as the operator left them");
        Tables.deployments(out, after, before, policies);
        heading(out, "GracefulPolicies (kubectl get gp -A -o wide)");
        Tables.policies(out, columns, policies);

        heading(out, "UNDO: kubectl annotate deployment -n " + UNDO_NAMESPACE + " " + UNDO_DEPLOYMENT
            + " graceful.io/enabled=false");
        Deployment undone = optOut(client, timeout);
        if (undone == null) {
          out.println("The operator did not revert " + UNDO_NAMESPACE + "/" + UNDO_DEPLOYMENT + " within "
              + timeout.toSeconds() + " s (annotation " + Tables.APPLIED_POLICY + " still present).");
          return new Result(1, before, after, policies, null, events(client));
        }
        Deployment original = before.stream().filter(d -> Tables.key(d).equals(Tables.key(undone))).findFirst()
            .orElseThrow();
        boolean exact = Objects.equals(original.getSpec().getTemplate(), undone.getSpec().getTemplate());
        out.println(exact
            ? "Reverted: the pod template is exactly what the team wrote (see BEFORE), "
                + "the operator's annotation is gone."
            : "NOT reverted exactly: the pod template differs from BEFORE.");
        Tables.deployments(out, List.of(undone), before, policies(client));

        List<Event> events = events(client);
        heading(out, "Events emitted by the operator (kubectl get events -A)");
        Tables.events(out, events);
        out.println();
        out.println("Done. On a real cluster: kubectl apply -f crd/; kubectl apply -f examples/; "
            + "java -jar operator/target/graceful-operator.jar (see examples/README.md).");
        return new Result(exact ? 0 : 1, before, after, policies, undone, events);
      } finally {
        operator.close();
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ waiting

  /**
   * Waits until every policy reports status for its current generation with a Ready condition and nothing pending,
   * and nothing has changed for {@link #QUIET}. Returns what is still missing at the timeout (empty: converged).
   */
  static List<String> awaitConverged(KubernetesClient client, Duration timeout) throws InterruptedException {
    return await(timeout, () -> {
      List<String> missing = new ArrayList<>();
      for (GenericKubernetesResource p : policies(client)) {
        String name = p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
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
                  .map(e -> e.get("name") + ": " + e.get("message")).toList() + ")");
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

  /** Resource versions of every Deployment and policy: changes whenever anything is written. */
  private static String fingerprint(KubernetesClient client) {
    StringBuilder print = new StringBuilder();
    deployments(client).forEach(d -> print.append(Tables.key(d)).append('@')
        .append(d.getMetadata().getResourceVersion()).append(' '));
    policies(client).forEach(p -> print.append(p.getMetadata().getName()).append('@')
        .append(p.getMetadata().getResourceVersion()).append(' '));
    return print.toString();
  }

  /** Deployments whose metadata or spec differ (resourceVersion aside) between the two lists. */
  static long changed(List<Deployment> before, List<Deployment> after) {
    Map<String, Deployment> was = new HashMap<>();
    before.forEach(d -> was.put(Tables.key(d), d));
    return after.stream().filter(d -> {
      Deployment old = was.get(Tables.key(d));
      return old == null || !Objects.equals(old.getSpec(), d.getSpec())
          || !Objects.equals(old.getMetadata().getAnnotations(), d.getMetadata().getAnnotations())
          || !Objects.equals(old.getMetadata().getLabels(), d.getMetadata().getLabels());
    }).count();
  }

  private static boolean isDeploymentWrite(RecordedRequest r) {
    return List.of("PUT", "PATCH", "POST", "DELETE").contains(r.getMethod())
        && DEPLOYMENT_PATH.matcher(r.getPath()).matches();
  }

  // ------------------------------------------------------------------------------------------------ reading

  static List<Deployment> deployments(KubernetesClient client) {
    return Tables.sorted(client.apps().deployments().inAnyNamespace().list().getItems());
  }

  static List<GenericKubernetesResource> policies(KubernetesClient client) {
    return Tables.sortedPolicies(ExampleLoader.policies(client).inAnyNamespace().list().getItems());
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
