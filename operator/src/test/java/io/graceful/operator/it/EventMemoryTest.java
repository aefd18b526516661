package io.graceful.operator.it;

import static io.graceful.operator.it.Fixtures.container;
import static io.graceful.operator.it.Fixtures.deployment;
import static io.graceful.operator.it.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.graceful.operator.GracefulOperator;
import io.graceful.operator.config.OperatorConfig;
import io.graceful.operator.controller.EventRecorder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator's memory of what it reported lives in the Events themselves (deterministic names), not in a LIST read
 * at start-up: a restarted operator or a new leader stays quiet, a repeated change is counted on one Event, and what
 * the operator keeps in memory is bounded.
 */
class EventMemoryTest {
  private static final Map<String, String> WEB = Map.of("tier", "web");
  private static final String DNS_SUBDOMAIN = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
  private static MockApiServer api;
  private static KubernetesClient client;
  /** The client recorders use: its requests count as the operator's. */
  private static KubernetesClient operatorClient;

  @BeforeAll
  static void start() {
    api = new MockApiServer("31");
    client = api.client();
    operatorClient = api.operatorClient();
  }

  @AfterAll
  static void stop() {
    operatorClient.close();
    api.close();
  }

  private static String namespace(String name) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  private static List<Event> events(String ns) {
    return client.v1().events().inNamespace(ns).list().getItems();
  }

  private static List<Event> events(String ns, String involved, String reason) {
    return events(ns).stream().filter(e -> involved.equals(e.getInvolvedObject().getName())
        && reason.equals(e.getReason())).toList();
  }

  /** Operator requests about Events in {@code ns}, from the {@code from}-th recorded request on. */
  private static List<MockApiServer.Request> eventRequests(int from, String ns) {
    List<MockApiServer.Request> all = api.requests();
    return all.subList(from, all.size()).stream()
        .filter(r -> r.fromOperator() && r.path().contains("/namespaces/" + ns + "/events")).toList();
  }

  private static boolean anyEventListSince(int from) {
    List<MockApiServer.Request> all = api.requests();
    return all.subList(from, all.size()).stream()
        .anyMatch(r -> r.fromOperator() && "list events".equals(r.rbac()));
  }

  @Test
  void aRestartedOperatorDoesNotReportAgainWhatItReportedBeforeAndListsNoEvents() throws InterruptedException {
    String ns = namespace("restart");
    client.resource(deployment(ns, "web", WEB, container("app"))).create();
    client.resource(deployment(ns, "kept", WEB, container("app",
        new LifecycleHandlerBuilder().withNewExec().withCommand("/bin/drain.sh").endExec().build()))).create();
    client.resource(policy(ns, "web", WEB, 10, 20L)).create();

    int first = api.requests().size();
    try (KubernetesClient c = api.operatorClient();
        GracefulOperator operator = GracefulOperator.start(c, OperatorConfig.defaults().withHttpPort(0))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> events(ns, "kept", "ExistingHook").size() == 1
          && events(ns, "web", "HookApplied").size() == 1);
    }
    assertThat(anyEventListSince(first)).as("Events listed by the first operator").isFalse();
    List<Event> before = events(ns);

    // a new operator (a restart, or the other replica taking over) with an empty memory
    int second = api.requests().size();
    try (KubernetesClient c = api.operatorClient();
        GracefulOperator operator = GracefulOperator.start(c, OperatorConfig.defaults().withHttpPort(0))) {
      // it makes the ExistingHook decision again and looks up that decision's Event by name
      await().atMost(Duration.ofSeconds(30)).until(() -> eventRequests(second, ns).stream()
          .anyMatch(r -> r.method().equals("GET") && r.path().contains("/events/kept.")));
      Thread.sleep(1000); // and whatever else it would send
    }
    assertThat(anyEventListSince(second)).as("Events listed at start-up").isFalse();
    assertThat(eventRequests(second, ns)).as("Event requests of the restarted operator")
        .allSatisfy(r -> assertThat(r.method()).isEqualTo("GET"));
    assertThat(events(ns)).as("the Events, unchanged").containsExactlyInAnyOrderElementsOf(before);
    assertThat(events(ns, "kept", "ExistingHook")).singleElement()
        .satisfies(e -> assertThat(e.getCount()).isEqualTo(1));
  }

  @Test
  void aDecisionAlreadyOnTheServerIsNotReportedByAFreshRecorder() {
    String ns = namespace("fresh");
    Deployment d = client.resource(deployment(ns, "web", WEB, container("app"))).create();
    new EventRecorder(operatorClient, "first").decided(d, "Warning", "InvalidAnnotation", "bad sleep");
    new EventRecorder(operatorClient, "first").decided(d, "Warning", "InvalidAnnotation", "bad shutdown");

    int mark = api.requests().size();
    EventRecorder fresh = new EventRecorder(operatorClient, "second");
    fresh.decided(d, "Warning", "InvalidAnnotation", "bad sleep");
    fresh.decided(d, "Warning", "InvalidAnnotation", "bad shutdown");
    fresh.decided(d, "Warning", "InvalidAnnotation", "bad sleep");
    assertThat(eventRequests(mark, ns)).as("one read per decision, then nothing").hasSize(2)
        .allSatisfy(r -> assertThat(r.method()).isEqualTo("GET"));
    assertThat(events(ns, "web", "InvalidAnnotation")).as("two decisions of one reason: two Events")
        .extracting(Event::getMessage).containsExactlyInAnyOrder("bad sleep", "bad shutdown");
    assertThat(events(ns)).allSatisfy(e -> assertThat(e.getCount()).isEqualTo(1));
  }

  @Test
  void anEventThatSaysSomethingElseIsUpdatedInPlace() {
    String ns = namespace("in-place");
    Deployment d = client.resource(deployment(ns, "web", WEB, container("app"))).create();
    new EventRecorder(operatorClient, "first").decided(d, "Normal", "ExistingHook", "kept the app's hook");
    Event original = events(ns).get(0);
    // what a hash collision would look like: the name is taken by an Event saying something else
    original.setMessage("something else");
    client.resource(original).update();

    new EventRecorder(operatorClient, "second").decided(d, "Normal", "ExistingHook", "kept the app's hook");
    assertThat(events(ns)).singleElement().satisfies(e -> {
      assertThat(e.getMetadata().getName()).isEqualTo(original.getMetadata().getName());
      assertThat(e.getMessage()).isEqualTo("kept the app's hook");
      assertThat(e.getCount()).isEqualTo(2);
    });
  }

  @Test
  void aRepeatedChangeBumpsTheCountOfTheSameEvent() throws InterruptedException {
    String ns = namespace("series");
    Deployment d = client.resource(deployment(ns, "web", WEB, container("app"))).create();
    EventRecorder recorder = new EventRecorder(operatorClient, "op");
    recorder.changed(d, "Normal", "HookApplied", "sleep 10s (policy web)");
    Event first = events(ns).get(0);
    Thread.sleep(1100); // timestamps have second precision
    recorder.changed(d, "Normal", "HookApplied", "sleep 10s (policy web)");
    // a restarted operator reporting the same change again counts on the same Event too
    new EventRecorder(operatorClient, "other").changed(d, "Normal", "HookApplied", "sleep 10s (policy web)");

    assertThat(events(ns)).singleElement().satisfies(e -> {
      assertThat(e.getMetadata().getName()).isEqualTo(first.getMetadata().getName()).startsWith("web.");
      assertThat(e.getMetadata().getUid()).isEqualTo(first.getMetadata().getUid());
      assertThat(e.getCount()).isEqualTo(3);
      assertThat(e.getFirstTimestamp()).isEqualTo(first.getFirstTimestamp());
      assertThat(Instant.parse(e.getLastTimestamp())).isAfter(Instant.parse(first.getLastTimestamp()));
      assertThat(e.getReportingInstance()).isEqualTo("other");
    });

    // a different change is a different Event; a decision never bumps
    recorder.changed(d, "Normal", "HookApplied", "sleep 25s (policy web)");
    recorder.decided(d, "Normal", "HookApplied", "sleep 25s (policy web)");
    assertThat(events(ns)).extracting(Event::getMessage, Event::getCount).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple("sleep 10s (policy web)", 3),
        org.assertj.core.groups.Tuple.tuple("sleep 25s (policy web)", 1));
  }

  @Test
  void memoryIsBoundedAndForgettingCostsAReadNotARepeatedEvent() {
    String ns = namespace("bounded");
    Deployment d = client.resource(deployment(ns, "web", WEB, container("app"))).create();
    EventRecorder recorder = new EventRecorder(operatorClient, "op", 3);
    for (int i = 0; i < 10; i++) {
      recorder.decided(d, "Normal", "PolicyConflict", "decision " + i);
      assertThat(recorder.remembered()).isLessThanOrEqualTo(3);
    }
    assertThat(recorder.remembered()).isEqualTo(3);
    assertThat(events(ns)).hasSize(10);

    // the most recent are remembered: no request at all
    int mark = api.requests().size();
    recorder.decided(d, "Normal", "PolicyConflict", "decision 9");
    assertThat(eventRequests(mark, ns)).isEmpty();
    // a forgotten one is looked up (one GET) and not reported again
    recorder.decided(d, "Normal", "PolicyConflict", "decision 0");
    assertThat(eventRequests(mark, ns)).singleElement().satisfies(r -> assertThat(r.method()).isEqualTo("GET"));
    assertThat(events(ns)).hasSize(10).allSatisfy(e -> assertThat(e.getCount()).isEqualTo(1));
    assertThat(recorder.remembered()).isEqualTo(3);
  }

  @Test
  void eventNamesAreValidDnsSubdomainsEvenForTheLongestObjectNames() {
    String ns = namespace("names");
    String longName = "a".repeat(235) + "-" + "b".repeat(17); // 253 characters: cut right after the '-'
    Deployment d = client.resource(deployment(ns, longName, WEB, container("app"))).create();
    EventRecorder recorder = new EventRecorder(operatorClient, "op");
    recorder.decided(d, "Normal", "Compliant", "nothing to do");
    recorder.changed(d, "Normal", "HookApplied", "sleep 10s");
    assertThat(events(ns)).hasSize(2).allSatisfy(e -> {
      assertThat(e.getMetadata().getName()).hasSizeLessThanOrEqualTo(253).matches(DNS_SUBDOMAIN)
          .startsWith("a".repeat(235) + ".");
      assertThat(e.getInvolvedObject().getName()).isEqualTo(longName);
    });
  }
}
