package io.graceful.operator.core;

import static io.graceful.operator.core.CoreFixtures.JSON;
import static io.graceful.operator.core.CoreFixtures.NATIVE;
import static io.graceful.operator.core.CoreFixtures.NS;
import static io.graceful.operator.core.CoreFixtures.annotations;
import static io.graceful.operator.core.CoreFixtures.apply;
import static io.graceful.operator.core.CoreFixtures.container;
import static io.graceful.operator.core.CoreFixtures.nativeSleep;
import static io.graceful.operator.core.CoreFixtures.policy;
import static io.graceful.operator.core.CoreFixtures.preStop;
import static io.graceful.operator.core.CoreFixtures.spec;
import static io.graceful.operator.core.CoreFixtures.tgps;
import static io.graceful.operator.core.CoreFixtures.web;
import static io.graceful.operator.core.CoreFixtures.withAnnotation;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The AdmissionReview handling: every request is allowed; governed creates and updates get the controller's plan. */
class AdmissionReviewsTest {

  private static List<PolicySnapshot> policies(Consumer<GracefulPolicySpec> edit) {
    GracefulPolicySpec s = spec(5, 30L);
    edit.accept(s);
    return List.of(policy("web", s));
  }

  private static AdmissionReviews.Answer answer(String body, List<PolicySnapshot> policies) {
    return AdmissionReviews.answer(body.getBytes(StandardCharsets.UTF_8),
        ns -> ns.equals(NS) ? policies : List.of(), NATIVE, ns -> NamespaceView.UNKNOWN);
  }

  private static String review(String apiVersion, String operation, Deployment object, boolean dryRun) {
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", apiVersion);
    review.put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", "0df28fbd-5f5f-11e8-a5bd-0a580a440010");
    request.putObject("kind").put("group", "apps").put("version", "v1").put("kind", "Deployment");
    request.putObject("resource").put("group", "apps").put("version", "v1").put("resource", "deployments");
    request.put("namespace", NS);
    request.put("name", object.getMetadata().getName());
    request.put("operation", operation);
    request.put("dryRun", dryRun);
    request.set("object", JSON.valueToTree(object));
    return review.toString();
  }

  private static String create(Deployment d) {
    return review(AdmissionReviews.V1, "CREATE", d, false);
  }

  private static JsonNode response(AdmissionReviews.Answer a) throws Exception {
    JsonNode out = JSON.readTree(a.body());
    assertThat(out.path("kind").asText()).isEqualTo("AdmissionReview");
    assertThat(out.path("response").path("allowed").asBoolean()).as("never rejects").isTrue();
    return out;
  }

  private static ArrayNode patch(AdmissionReviews.Answer a) throws Exception {
    JsonNode r = response(a).path("response");
    if (!r.has("patch")) {
      return JSON.createArrayNode();
    }
    assertThat(r.path("patchType").asText()).isEqualTo("JSONPatch");
    return (ArrayNode) JSON.readTree(Base64.getDecoder().decode(r.path("patch").asText()));
  }

  @Test
  void aGovernedCreateIsStoredAsTheControllerWouldWriteIt() throws Exception {
    Deployment d = web(container("app"));
    AdmissionReviews.Answer a = answer(create(d), policies(s -> { }));

    assertThat(a.result()).isEqualTo(AdmissionResult.MUTATED);
    assertThat(a.policy()).isEqualTo("web");
    assertThat(a.workload()).isEqualTo("Deployment shop/web");
    JsonNode out = response(a);
    assertThat(out.path("apiVersion").asText()).isEqualTo(AdmissionReviews.V1);
    assertThat(out.path("response").path("uid").asText()).isEqualTo("0df28fbd-5f5f-11e8-a5bd-0a580a440010");
    Deployment stored = apply(d, patch(a));
    assertThat(preStop(stored, "app")).isEqualTo(nativeSleep(5));
    assertThat(tgps(stored)).isEqualTo(35L);
    assertThat(annotations(stored)).containsKeys(GracefulAnnotations.APPLIED_POLICY, GracefulAnnotations.ORIGINAL,
        GracefulAnnotations.APPLIED).doesNotContainKey(GracefulAnnotations.ROLLOUT);
    // the controller finds nothing to do, and its undo restores the manifest
    WorkloadPlan controller = WorkloadPlanner.plan(Workload.of(stored), policies(s -> { }), NATIVE);
    assertThat(controller.change()).isEqualTo(Change.NONE);
    WorkloadPlan revert = WorkloadPlanner.plan(Workload.of(stored), List.of(), NATIVE);
    Deployment reverted = apply(stored, revert.patch());
    assertThat(preStop(reverted, "app")).isNull();
    assertThat(tgps(reverted)).isNull();
  }

  @Test
  void aDryRunGetsTheSameMutation() throws Exception {
    Deployment d = web(container("app"));
    AdmissionReviews.Answer real = answer(create(d), policies(s -> { }));
    AdmissionReviews.Answer dry = answer(review(AdmissionReviews.V1, "CREATE", d, true), policies(s -> { }));
    assertThat(dry.dryRun()).isTrue();
    assertThat(dry.result()).isEqualTo(AdmissionResult.MUTATED);
    assertThat(patch(dry)).isEqualTo(patch(real));
  }

  @Test
  void anOldApiVersionIsAnsweredInKind() throws Exception {
    AdmissionReviews.Answer a = answer(review(AdmissionReviews.V1BETA1, "CREATE", web(container("app")), false),
        policies(s -> { }));
    assertThat(response(a).path("apiVersion").asText()).isEqualTo(AdmissionReviews.V1BETA1);
    assertThat(a.result()).isEqualTo(AdmissionResult.MUTATED);
  }

  @Test
  void malformedRequestsAreAdmittedUnchangedWithAWarning() throws Exception {
    Deployment d = web(container("app"));
    ObjectNode broken = (ObjectNode) JSON.readTree(create(d));
    ((ObjectNode) broken.path("request").path("object").path("spec").path("template").path("spec"))
        .put("containers", "not a list");
    ObjectNode noUid = (ObjectNode) JSON.readTree(create(d));
    ((ObjectNode) noUid.path("request")).remove("uid");
    ObjectNode noObject = (ObjectNode) JSON.readTree(create(d));
    ((ObjectNode) noObject.path("request")).remove("object");
    for (String body : List.of("{not json", "[]", broken.toString(), noUid.toString(), noObject.toString())) {
      AdmissionReviews.Answer a = answer(body, policies(s -> { }));
      assertThat(a.result()).as(body).isEqualTo(AdmissionResult.MALFORMED);
      JsonNode r = response(a).path("response");
      assertThat(r.has("patch")).isFalse();
      assertThat(r.path("warnings").get(0).asText()).contains("admitted unchanged");
    }
  }

  @Test
  void optedOutNonMatchingAuditAndOwnedWorkloadsAreNotMutated() throws Exception {
    Deployment plain = web(container("app"));
    Deployment optedOut = withAnnotation(plain, GracefulAnnotations.ENABLED, "false");
    Deployment otherLabels = CoreFixtures.deployment("api", Map.of("tier", "api"), null, null, container("app"));
    Deployment owned = CoreFixtures.copy(plain);
    owned.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("example.io/v1")
        .withKind("App").withName("web").withUid("u1").withController(true).build()));
    record Case(String what, Deployment d, List<PolicySnapshot> ps) {}
    for (Case c : List.of(new Case("opted out", optedOut, policies(s -> { })),
        new Case("not selected", otherLabels, policies(s -> { })),
        new Case("Audit mode", plain, policies(s -> s.setMode("Audit"))),
        new Case("owned by a controller", owned, policies(s -> { })),
        new Case("invalid policy", plain, policies(s -> s.setTerminationGracePeriodSeconds(20L))),
        new Case("no policy", plain, List.of()))) {
      AdmissionReviews.Answer a = answer(create(c.d()), c.ps());
      assertThat(a.result()).as(c.what()).isEqualTo(AdmissionResult.UNCHANGED);
      assertThat(patch(a)).as(c.what()).isEmpty();
    }
  }

  @Test
  void otherKindsAndOperationsAreIgnored() throws Exception {
    Deployment d = web(container("app"));
    ObjectNode pod = (ObjectNode) JSON.readTree(create(d));
    ((ObjectNode) pod.path("request").path("kind")).put("group", "").put("kind", "Pod");
    for (String body : List.of(review(AdmissionReviews.V1, "DELETE", d, false),
        review(AdmissionReviews.V1, "CONNECT", d, false), pod.toString())) {
      AdmissionReviews.Answer a = answer(body, policies(s -> { }));
      assertThat(a.result()).isEqualTo(AdmissionResult.IGNORED);
      assertThat(patch(a)).isEmpty();
    }
  }

  @Test
  void aReApplyThatResetsTheGracePeriodIsMutatedBackWithoutAFight() throws Exception {
    List<PolicySnapshot> ps = policies(s -> { });
    Deployment manifest = CoreFixtures.deployment("web", Map.of("tier", "web"), null, 10L, container("app"));
    Deployment stored = apply(manifest, WorkloadPlanner.plan(Workload.of(manifest), ps, NATIVE).patch());
    assertThat(tgps(stored)).isEqualTo(35L);
    // the manifest applied again: the grace period back to 10, the operator's hook and record kept
    Deployment reApplied = CoreFixtures.copy(stored);
    reApplied.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(10L);
    assertThat(WorkloadPlanner.plan(Workload.of(reApplied), ps, NATIVE).change())
        .as("the controller alone would count a re-apply").isEqualTo(Change.REAPPLY);

    AdmissionReviews.Answer a = answer(review(AdmissionReviews.V1, "UPDATE", reApplied, false), ps);

    assertThat(a.result()).isEqualTo(AdmissionResult.MUTATED);
    Deployment result = apply(reApplied, patch(a));
    assertThat(result.getSpec().getTemplate()).as("the template as stored: no rollout")
        .isEqualTo(stored.getSpec().getTemplate());
    assertThat(annotations(result)).isEqualTo(annotations(stored)).doesNotContainKey(GracefulAnnotations.REAPPLIED);
    assertThat(WorkloadPlanner.plan(Workload.of(result), ps, NATIVE).change()).isEqualTo(Change.NONE);
  }

  @Test
  void anUpdateOfACompliantWorkloadIsUnchanged() throws Exception {
    List<PolicySnapshot> ps = policies(s -> { });
    Deployment d = web(container("app"));
    Deployment stored = apply(d, WorkloadPlanner.plan(Workload.of(d), ps, NATIVE).patch());
    stored.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("registry.example/app:2.0");
    AdmissionReviews.Answer a = answer(review(AdmissionReviews.V1, "UPDATE", stored, false), ps);
    assertThat(a.result()).isEqualTo(AdmissionResult.UNCHANGED);
    assertThat(patch(a)).isEmpty();
  }

  @Test
  void anUndoIsLeftToTheController() throws Exception {
    List<PolicySnapshot> ps = policies(s -> { });
    Deployment d = web(container("app"));
    Deployment stored = apply(d, WorkloadPlanner.plan(Workload.of(d), ps, NATIVE).patch());
    AdmissionReviews.Answer a = answer(review(AdmissionReviews.V1, "UPDATE", stored, false), List.of());
    assertThat(a.result()).isEqualTo(AdmissionResult.DEFERRED);
    assertThat(patch(a)).isEmpty();
  }
}
