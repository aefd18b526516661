package io.graceful.operator.core;

import static io.graceful.operator.core.CoreFixtures.JSON;
import static io.graceful.operator.core.CoreFixtures.NS;
import static io.graceful.operator.core.CoreFixtures.apply;
import static io.graceful.operator.core.CoreFixtures.effectiveTgps;
import static io.graceful.operator.core.CoreFixtures.normalized;
import static io.graceful.operator.core.CoreFixtures.preStop;
import static io.graceful.operator.core.CoreFixtures.withAnnotation;
import static io.graceful.operator.core.CoreFixtures.withoutOwnedFields;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.graceful.operator.api.v1alpha1.DeploymentState;
import io.graceful.operator.api.v1alpha1.ExistingHook;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import io.graceful.operator.api.v1alpha1.PolicyMode;
import io.graceful.operator.api.v1alpha1.PreStopSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Property-based tests of the planning invariants (docs/rules.md) over random Deployments and random valid
 * policies. Every property plans, applies the plan's JSON Patch to the Deployment's JSON (as the API server would)
 * and checks the result.
 */
class WorkloadPlannerProperties {

  private static final List<String> CONTAINER_POOL = List.of("app", "proxy", "metrics", "worker", "log");
  private static final Map<String, List<String>> LABEL_POOL = new LinkedHashMap<>();

  static {
    LABEL_POOL.put("tier", List.of("web", "api", "batch"));
    LABEL_POOL.put("team", List.of("a", "b"));
    LABEL_POOL.put("env", List.of("prod", "dev"));
  }

  /**
   * Everything one property run needs: a workload, its namespace's policies and the server's capabilities. The
   * workload is generated as a Deployment and planned as the world's kind (every kind keeps its pod template and
   * metadata at the same paths), so every property holds per kind; a StatefulSet or DaemonSet may use OnDelete.
   */
  record World(Deployment deployment, List<PolicySnapshot> policies, PlanningContext context, WorkloadKind kind,
      String updateStrategy) {
    World(Deployment deployment, List<PolicySnapshot> policies, PlanningContext context) {
      this(deployment, policies, context, WorkloadKind.Deployment, null);
    }

    WorkloadPlan plan() {
      return plan(deployment);
    }

    WorkloadPlan plan(Deployment d) {
      return WorkloadPlanner.plan(view(d), policies, context);
    }

    /** The Deployment as the world's kind sees it. */
    Workload view(Deployment d) {
      Workload w = Workload.of(d);
      if (kind == WorkloadKind.Deployment) {
        return w;
      }
      boolean onDelete = "OnDelete".equals(updateStrategy);
      return new Workload(new WorkloadRef(kind, w.namespace(), w.name()), w.generation(), w.labels(),
          w.annotations(), w.ownerReferences(), w.managedFields(), w.template(), updateStrategy,
          w.restartsPods() && !onDelete, w.rollout());
    }

    @Override
    public String toString() {
      return "World{context=" + context + ", kind=" + kind + " " + updateStrategy + "\n deployment=" + JSON.valueToTree(deployment) + "\n policies="
          + policies.stream().map(p -> p.name() + "/" + p.namespace() + "@" + p.creationTimestamp() + " "
          + JSON.valueToTree(p.spec())).toList() + "}";
    }
  }

  // =================================================================================== properties

  @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
  void r1HoldsForEveryManagedContainerAndRecognisedSleep(@ForAll("worlds") World w) {
    WorkloadPlan plan = w.plan();
    Deployment after = apply(plan, w.deployment());
    Statistics.label("change").collect(plan.change());
    Statistics.label("verdict").collect(plan.verdicts().isEmpty() ? "none"
        : plan.verdicts().get(0).state() + "/" + plan.verdicts().get(0).reason());
    Optional<Governing> governing = governing(w, plan);
    if (governing.isEmpty()) {
      return;
    }
    Governing g = governing.get();
    long tgps = effectiveTgps(after);
    List<String> selected = g.selected(after);
    for (String name : selected) {
      LifecycleHandler hook = preStop(after, name);
      assertThat(hook).as("selected container %s carries a preStop after %s", name, plan.change()).isNotNull();
      OptionalLong sleep = SleepHooks.recognisedSleep(hook);
      if (sleep.isPresent()) {
        assertThat(sleep.getAsLong()).as("R1 sleep < TGPS for %s", name).isLessThan(tgps);
        assertThat(sleep.getAsLong() + g.overrides.shutdownSeconds())
            .as("R1 sleep + shutdown <= TGPS for %s", name).isLessThanOrEqualTo(tgps);
      }
      LifecycleHandler before = preStop(w.deployment(), name);
      if (g.settings.existingHook() == ExistingHook.Replace || before == null) {
        assertThat(hook).as("R4 %s: container %s gets the policy's hook", g.settings.existingHook(), name)
            .isEqualTo(SleepHooks.of(plan.action(), g.overrides.sleepSeconds()));
      } else {
        assertThat(hook).as("R4 Keep: container %s keeps its own hook", name).isEqualTo(before);
      }
    }
    // the operator's record names exactly the hooks it put there
    ManagedRecord record = readRecord(after).orElse(null);
    if (record != null) {
      record.appliedHooks().forEach((name, hook) -> {
        assertThat(preStop(after, name)).isEqualTo(hook);
        long s = SleepHooks.recognisedSleep(hook).orElseThrow();
        assertThat(s).isLessThan(tgps);
        assertThat(s + g.overrides.shutdownSeconds()).isLessThanOrEqualTo(tgps);
      });
    }
    // R2: the policy floor applies when the operator writes its hook
    if (g.settings.gracePeriodFloor() != null && record != null && !record.appliedHooks().isEmpty()) {
      assertThat(tgps).isGreaterThanOrEqualTo(g.settings.gracePeriodFloor());
    }
  }

  @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
  void tgpsIsNeverLoweredByAnApply(@ForAll("worlds") World w) {
    WorkloadPlan plan = w.plan();
    Deployment after = apply(plan, w.deployment());
    assertThat(plan.change()).as("a Deployment the operator never touched has nothing to revert")
        .isIn(Change.NONE, Change.APPLY);
    assertThat(effectiveTgps(after)).isGreaterThanOrEqualTo(effectiveTgps(w.deployment()));
    if (CoreFixtures.tgps(after) != null && CoreFixtures.tgps(w.deployment()) == null) {
      assertThat(CoreFixtures.tgps(after)).as("an omitted TGPS is written only to raise it above 30")
          .isGreaterThan(30L);
    }
  }

  @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
  void onlyOwnedFieldsDiffer(@ForAll("worlds") World w) {
    WorkloadPlan plan = w.plan();
    Deployment after = apply(plan, w.deployment());
    assertThat(withoutOwnedFields(after)).isEqualTo(withoutOwnedFields(w.deployment()));
    assertThat(after.getSpec().getTemplate().getSpec().getInitContainers())
        .isEqualTo(w.deployment().getSpec().getTemplate().getSpec().getInitContainers());
    // every annotation the operator wrote is one of its own keys
    Map<String, String> before = CoreFixtures.annotations(w.deployment());
    CoreFixtures.annotations(after).forEach((k, v) -> {
      if (!GracefulAnnotations.OWNED.contains(k)) {
        assertThat(before).containsEntry(k, v);
      }
    });
    if (plan.change() == Change.NONE) {
      assertThat(plan.patch()).isEmpty();
      assertThat(normalized(after)).isEqualTo(normalized(w.deployment()));
    } else {
      assertThat(plan.patch()).isNotEmpty();
    }
  }

  @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
  void planningIsIdempotent(@ForAll("worlds") World w) {
    Deployment once = apply(w.plan(), w.deployment());
    WorkloadPlan again = w.plan(once);
    assertThat(again.change()).as("re-planning the plan's own output: %s", again.summary()).isEqualTo(Change.NONE);
    assertThat(again.patch()).isEmpty();
    // and the verdict settles: nothing stays Pending once the write landed
    again.verdicts().forEach(v -> assertThat(v.state()).isNotEqualTo(DeploymentState.Pending));
  }

  @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
  void optOutUndoesExactly(@ForAll("worlds") World w) {
    Deployment original = w.deployment();
    Deployment applied = apply(w.plan(), original);
    Deployment optedOut = withAnnotation(applied, GracefulAnnotations.ENABLED, "false");
    WorkloadPlan revert = w.plan(optedOut);
    Deployment restored = apply(revert, optedOut);
    Deployment expected = withAnnotation(original, GracefulAnnotations.ENABLED, "false");
    assertThat(normalized(restored)).isEqualTo(normalized(expected));
    if (!normalized(applied).equals(normalized(original))) {
      assertThat(revert.change()).isEqualTo(Change.REVERT);
    }
    // reverting is also idempotent
    assertThat(w.plan(restored).change()).isEqualTo(Change.NONE);
  }

  @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
  void removingThePoliciesUndoesExactly(@ForAll("worlds") World w) {
    Deployment original = w.deployment();
    Deployment applied = apply(w.plan(), original);
    WorkloadPlan revert = WorkloadPlanner.plan(w.view(applied), List.of(), w.context());
    assertThat(normalized(apply(revert, applied))).isEqualTo(normalized(original));
    assertThat(revert.verdicts()).isEmpty();
  }

  @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
  void aPersonsLaterEditSurvivesTheRevert(@ForAll("worlds") World w, @ForAll("personHooks") LifecycleHandler mine,
      @ForAll Random random) {
    Deployment original = w.deployment();
    Deployment applied = apply(w.plan(), original);
    ManagedRecord record = readRecord(applied).orElse(null);
    if (record == null || record.appliedHooks().isEmpty()) {
      return;
    }
    List<String> managed = new ArrayList<>(record.appliedHooks().keySet());
    String edited = managed.get(random.nextInt(managed.size()));
    if (mine.equals(record.appliedHooks().get(edited))) {
      return;
    }
    Deployment personEdited = CoreFixtures.copy(applied);
    CoreFixtures.containerNamed(personEdited, edited).getLifecycle().setPreStop(mine);
    Deployment optedOut = withAnnotation(personEdited, GracefulAnnotations.ENABLED, "false");
    Deployment restored = apply(w.plan(optedOut), optedOut);

    Deployment expected = withAnnotation(original, GracefulAnnotations.ENABLED, "false");
    Container c = CoreFixtures.containerNamed(expected, edited);
    if (c.getLifecycle() == null) {
      c.setLifecycle(new Lifecycle());
    }
    c.getLifecycle().setPreStop(mine);
    assertThat(preStop(restored, edited)).isEqualTo(mine);
    assertThat(normalized(restored)).isEqualTo(normalized(expected));
  }

  @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
  void aPersonsLaterGracePeriodEditSurvivesTheRevert(@ForAll("worlds") World w,
      @ForAll @net.jqwik.api.constraints.LongRange(min = 1, max = 900) long theirs) {
    Deployment original = w.deployment();
    Deployment applied = apply(w.plan(), original);
    ManagedRecord record = readRecord(applied).orElse(null);
    if (record == null || !record.gracePeriodChanged() || Long.valueOf(theirs).equals(CoreFixtures.tgps(applied))) {
      return;
    }
    Deployment edited = CoreFixtures.copy(applied);
    edited.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(theirs);
    Deployment optedOut = withAnnotation(edited, GracefulAnnotations.ENABLED, "false");
    Deployment restored = apply(w.plan(optedOut), optedOut);
    Deployment expected = withAnnotation(original, GracefulAnnotations.ENABLED, "false");
    expected.getSpec().getTemplate().getSpec().setTerminationGracePeriodSeconds(theirs);
    assertThat(normalized(restored)).isEqualTo(normalized(expected));
  }

  /** A policy edit (or a different set of policies) re-plans from the original: the undo stays exact. */
  @Property(tries = 500, edgeCases = EdgeCasesMode.NONE)
  void policyChangesKeepTheUndoExact(@ForAll("worlds") World w, @ForAll("policyLists") List<PolicySnapshot> next) {
    Deployment original = w.deployment();
    Deployment first = apply(w.plan(), original);
    World edited = new World(original, next, w.context());
    WorkloadPlan second = edited.plan(first);
    Deployment after = apply(second, first);
    assertThat(edited.plan(after).change()).as("idempotent after a policy change").isEqualTo(Change.NONE);
    assertThat(withoutOwnedFields(after)).isEqualTo(withoutOwnedFields(original));
    if (second.change() == Change.APPLY) {
      assertThat(effectiveTgps(after)).as("TGPS never lowered by an apply").isGreaterThanOrEqualTo(
          effectiveTgps(first));
    }
    // R1 holds against the new policy's values as well
    governing(edited, edited.plan(after)).ifPresent(g -> {
      long tgps = effectiveTgps(after);
      for (String name : g.selected(after)) {
        LifecycleHandler hook = preStop(after, name);
        SleepHooks.recognisedSleep(hook).ifPresent(s -> {
          assertThat(s).isLessThan(tgps);
          assertThat(s + g.overrides.shutdownSeconds()).isLessThanOrEqualTo(tgps);
        });
      }
    });
    Deployment restored = apply(WorkloadPlanner.plan(w.view(after), List.of(), w.context()), after);
    assertThat(normalized(restored)).isEqualTo(normalized(original));
  }

  @Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
  void planningIsDeterministicAndIndependentOfPolicyOrder(@ForAll("worlds") World w, @ForAll Random random) {
    WorkloadPlan first = w.plan();
    WorkloadPlan second = WorkloadPlanner.plan(w.view(CoreFixtures.copy(w.deployment())), w.policies(),
        w.context());
    assertThat(second).isEqualTo(first);
    List<PolicySnapshot> shuffled = new ArrayList<>(w.policies());
    Collections.shuffle(shuffled, random);
    assertThat(WorkloadPlanner.plan(w.view(w.deployment()), shuffled, w.context())).isEqualTo(first);
  }

  @Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
  void policiesOfOtherNamespacesNeverCount(@ForAll("worlds") World w) {
    WorkloadPlan plan = w.plan();
    plan.verdicts().forEach(v -> assertThat(v.policy()).doesNotStartWith("other-"));
    if (plan.governingPolicy() != null) {
      assertThat(plan.governingPolicy()).doesNotStartWith("other-");
    }
  }

  // =================================================================================== oracle helpers

  /** The settings the Deployment is governed by, when the plan says the policy applies (Enforce, valid). */
  record Governing(PolicySettings settings, DeploymentOverrides overrides) {
    List<String> selected(Deployment d) {
      List<String> out = new ArrayList<>();
      for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
        boolean listed = settings.containers().isEmpty() || settings.containers().contains(c.getName());
        if (listed && !settings.excludeContainers().contains(c.getName())) {
          out.add(c.getName());
        }
      }
      return out;
    }
  }

  private static Optional<Governing> governing(World w, WorkloadPlan plan) {
    if (plan.governingPolicy() == null || plan.verdicts().isEmpty()) {
      return Optional.empty();
    }
    PolicyVerdict v = plan.verdicts().get(0);
    boolean enforced = v.state() == DeploymentState.Pending || v.state() == DeploymentState.Applied
        || v.state() == DeploymentState.Skipped && v.reason().equals("ExistingHook");
    if (!enforced) {
      return Optional.empty();
    }
    PolicySnapshot p = w.policies().stream().filter(x -> x.name().equals(plan.governingPolicy()) && x.namespace()
        .equals(NS)).findFirst().orElseThrow();
    PolicySettings settings = PolicySettings.validate(p.spec()).settings();
    assertThat(settings).isNotNull();
    assertThat(settings.mode()).isEqualTo(PolicyMode.Enforce);
    return Optional.of(new Governing(settings,
        DeploymentOverrides.resolve(CoreFixtures.annotations(w.deployment()), settings)));
  }

  private static Optional<ManagedRecord> readRecord(Deployment d) {
    try {
      return ManagedRecord.read(CoreFixtures.annotations(d));
    } catch (ManagedRecord.UnreadableRecordException e) {
      throw new AssertionError("the operator wrote a record it cannot read: " + e.getMessage(), e);
    }
  }

  // =================================================================================== generators

  @Provide
  Arbitrary<World> worlds() {
    Arbitrary<WorkloadKind> kinds = Arbitraries.of(WorkloadKind.Deployment, WorkloadKind.StatefulSet,
        WorkloadKind.DaemonSet);
    Arbitrary<String> updateStrategies = Arbitraries.of("RollingUpdate", "OnDelete").injectNull(0.3);
    return Combinators.combine(deployments(), policyLists(), Arbitraries.of(true, false), kinds, updateStrategies)
        .as((d, ps, nativeSleep, kind, strategy) -> new World(d, ps, new PlanningContext(nativeSleep, 3), kind,
            kind == WorkloadKind.Deployment ? null : strategy));
  }

  @Provide
  Arbitrary<LifecycleHandler> personHooks() {
    return Arbitraries.oneOf(
        Arbitraries.just(CoreFixtures.httpGet("/person")),
        Arbitraries.longs().between(1, 90).map(CoreFixtures::execSleep),
        Arbitraries.longs().between(1, 90).map(CoreFixtures::nativeSleep),
        Arbitraries.just(CoreFixtures.execOther("/bin/drain", "--gently")));
  }

  private Arbitrary<LifecycleHandler> foreignHooks() {
    Arbitrary<Long> secs = Arbitraries.longs().between(0, 200);
    return Arbitraries.oneOf(
        secs.map(CoreFixtures::execSleep),
        secs.map(CoreFixtures::binSleep),
        secs.map(n -> CoreFixtures.shSleep(Long.toString(n))),
        Arbitraries.of("2.5", "7s", "0.1", "15").map(CoreFixtures::shSleep),
        secs.map(CoreFixtures::nativeSleep),
        Arbitraries.of("/drain", "/shutdown").map(CoreFixtures::httpGet),
        Arbitraries.just(CoreFixtures.execOther("/bin/graceful-stop")),
        Arbitraries.just(CoreFixtures.execOther("sh", "-c", "nginx -s quit; sleep 3")));
  }

  /** 0: no lifecycle; 1: preStop only; 2: postStart only; 3: postStart and preStop; 4: empty lifecycle. */
  private Arbitrary<Container> container(String name) {
    return Combinators.combine(Arbitraries.integers().between(0, 4), foreignHooks()).as((shape, hook) -> {
      Container c = CoreFixtures.container(name);
      return switch (shape) {
        case 1 -> CoreFixtures.container(name, hook);
        case 2 -> new ContainerBuilder(c).withNewLifecycle().withPostStart(CoreFixtures.execOther("/bin/warm"))
            .endLifecycle().build();
        case 3 -> CoreFixtures.containerWithPostStart(name, hook);
        case 4 -> new ContainerBuilder(c).withLifecycle(new Lifecycle()).build();
        default -> c;
      };
    });
  }

  private Arbitrary<List<Container>> containers() {
    return Arbitraries.of(CONTAINER_POOL).list().uniqueElements().ofMinSize(1).ofMaxSize(4)
        .flatMap(names -> {
          List<Arbitrary<Container>> each = names.stream().map(this::container).toList();
          return Combinators.combine(each).as(list -> list);
        });
  }

  private Arbitrary<List<Container>> initContainers() {
    Arbitrary<Container> init = Arbitraries.of(0, 1).map(withHook -> withHook == 1
        ? CoreFixtures.container("init-db", CoreFixtures.execSleep(3)) : CoreFixtures.container("init-db"));
    Arbitrary<Container> sidecar = Arbitraries.of(0, 1).map(withHook -> {
      Container c = withHook == 1 ? CoreFixtures.container("mesh-sidecar", CoreFixtures.execSleep(5))
          : CoreFixtures.container("mesh-sidecar");
      c.setRestartPolicy("Always");
      return c;
    });
    return Arbitraries.oneOf(
        Arbitraries.just(List.<Container>of()),
        init.map(List::of),
        sidecar.map(List::of),
        Combinators.combine(init, sidecar).as(List::of));
  }

  /** Labels over a small pool; {@code tier} is nearly always there and mostly {@code web}, so policies match. */
  private Arbitrary<Map<String, String>> labels() {
    Arbitrary<Optional<String>> tier = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just("web")),
        Tuple.of(2, Arbitraries.just("api")), Tuple.of(1, Arbitraries.just("batch"))).optional(0.9);
    Arbitrary<Optional<String>> team = Arbitraries.of(LABEL_POOL.get("team")).optional(0.5);
    Arbitrary<Optional<String>> env = Arbitraries.of(LABEL_POOL.get("env")).optional(0.5);
    return Combinators.combine(tier, team, env).as((t, tm, e) -> {
      Map<String, String> m = new LinkedHashMap<>();
      t.ifPresent(v -> m.put("tier", v));
      tm.ifPresent(v -> m.put("team", v));
      e.ifPresent(v -> m.put("env", v));
      return m;
    });
  }

  private Arbitrary<Map<String, String>> userAnnotations() {
    Arbitrary<Optional<String>> policy = Arbitraries.of("p1", "p2", "p3", "ghost", " ").optional(0.25);
    Arbitrary<Optional<String>> sleep = Arbitraries.oneOf(
        Arbitraries.integers().between(1, 120).map(String::valueOf),
        Arbitraries.of("0", "abc", "99999", " 7 ", "-3", "1.5", "")).optional(0.3);
    Arbitrary<Optional<String>> shutdown = Arbitraries.oneOf(
        Arbitraries.integers().between(0, 120).map(String::valueOf),
        Arbitraries.of("-1", "x", "4000", " 12")).optional(0.3);
    Arbitrary<Optional<String>> action = Arbitraries.of("Sleep", "Exec", "Auto", "sleep", "Nap", "").optional(0.2);
    Arbitrary<Optional<String>> other = Arbitraries.of("someone", "").optional(0.3);
    return Combinators.combine(policy, sleep, shutdown, action, other).as((p, s, sd, a, o) -> {
      Map<String, String> m = new LinkedHashMap<>();
      o.ifPresent(v -> m.put("team.example/owner", v));
      p.ifPresent(v -> m.put(GracefulAnnotations.POLICY, v));
      s.ifPresent(v -> m.put(GracefulAnnotations.SLEEP_SECONDS, v));
      sd.ifPresent(v -> m.put(GracefulAnnotations.SHUTDOWN_SECONDS, v));
      a.ifPresent(v -> m.put(GracefulAnnotations.ACTION, v));
      return m;
    });
  }

  private Arbitrary<Deployment> deployments() {
    Arbitrary<Long> tgps = Arbitraries.longs().between(1, 600).injectNull(0.35);
    // 0: null map, 1: empty map, 2: generated
    Arbitrary<Integer> annotationShape = Arbitraries.frequency(Tuple.of(1, 0), Tuple.of(1, 1), Tuple.of(6, 2));
    return Combinators.combine(containers(), initContainers(), tgps, labels(), userAnnotations(), annotationShape)
        .as((cs, inits, t, labels, annotations, shape) -> {
          Deployment d = CoreFixtures.deployment("d", labels.isEmpty() ? null : labels,
              shape == 0 ? null : shape == 1 ? Map.of() : annotations, t, cs.toArray(Container[]::new));
          if (!inits.isEmpty()) {
            d.getSpec().getTemplate().getSpec().setInitContainers(new ArrayList<>(inits));
          }
          return d;
        });
  }

  private Arbitrary<LabelSelector> selectors() {
    Arbitrary<Map<String, String>> matchLabels = labels().map(m -> {
      Map<String, String> sub = new LinkedHashMap<>();
      m.entrySet().stream().limit(2).forEach(e -> sub.put(e.getKey(), e.getValue()));
      return sub;
    });
    Arbitrary<LabelSelectorRequirement> requirement = Combinators.combine(
        Arbitraries.of(new ArrayList<>(LABEL_POOL.keySet())),
        Arbitraries.of("In", "NotIn", "Exists", "DoesNotExist"),
        Arbitraries.integers().between(1, 2)).as((key, op, n) -> {
          LabelSelectorRequirement r = new LabelSelectorRequirement();
          r.setKey(key);
          r.setOperator(op);
          if (op.equals("In") || op.equals("NotIn")) {
            r.setValues(new ArrayList<>(LABEL_POOL.get(key).subList(0, n)));
          }
          return r;
        });
    Arbitrary<LabelSelector> random = Combinators.combine(matchLabels, requirement.list().ofMaxSize(2))
        .as((ml, exprs) -> {
          LabelSelector s = new LabelSelector();
          s.setMatchLabels(ml.isEmpty() ? null : ml);
          s.setMatchExpressions(exprs.isEmpty() ? null : exprs);
          return s;
        });
    return Arbitraries.frequencyOf(
        Tuple.of(5, Arbitraries.just(Map.of("tier", "web")).map(CoreFixtures::selector)),
        Tuple.of(2, Arbitraries.just(expressions(req("tier", "In", "web", "api")))),
        Tuple.of(1, Arbitraries.just(expressions(req("tier", "Exists"), req("team", "NotIn", "b")))),
        Tuple.of(1, Arbitraries.just(expressions(req("env", "DoesNotExist")))),
        Tuple.of(3, random),
        Tuple.of(1, Arbitraries.just(new LabelSelector())), // empty: only annotated opt-ins
        Tuple.of(1, Arbitraries.<LabelSelector>just(null)));
  }

  private static LabelSelectorRequirement req(String key, String op, String... values) {
    LabelSelectorRequirement r = new LabelSelectorRequirement();
    r.setKey(key);
    r.setOperator(op);
    r.setValues(values.length == 0 ? null : new ArrayList<>(List.of(values)));
    return r;
  }

  private static LabelSelector expressions(LabelSelectorRequirement... reqs) {
    LabelSelector s = new LabelSelector();
    s.setMatchExpressions(new ArrayList<>(List.of(reqs)));
    return s;
  }

  Arbitrary<GracefulPolicySpec> specs() {
    Arbitrary<Long> sleep = Arbitraries.longs().between(1, 120);
    Arbitrary<Long> shutdown = Arbitraries.longs().between(0, 120).injectNull(0.2);
    Arbitrary<Long> floorExtra = Arbitraries.longs().between(0, 60).injectNull(0.6);
    Arbitrary<List<String>> listed = Arbitraries.of("app", "proxy", "metrics", "ghost").list().uniqueElements()
        .ofMinSize(1).ofMaxSize(2);
    Arbitrary<List<String>> containers = Arbitraries.oneOf(Arbitraries.just(List.<String>of()), listed);
    Arbitrary<List<String>> excluded = Arbitraries.oneOf(Arbitraries.just(List.<String>of()),
        Arbitraries.of("proxy", "log", "ghost").list().uniqueElements().ofMaxSize(2));
    Arbitrary<String> existing = Arbitraries.of("Keep", "Replace").injectNull(0.2);
    Arbitrary<String> mode = Arbitraries.frequency(Tuple.of(3, "Enforce"), Tuple.of(1, "Audit")).injectNull(0.3);
    Arbitrary<Long> priority = Arbitraries.longs().between(-5, 5).injectNull(0.3);
    // mostly every kind (so that most worlds have a governing policy), sometimes the default or a subset
    Arbitrary<List<String>> workloads = Arbitraries.frequency(
        Tuple.of(6, List.of("Deployment", "StatefulSet", "DaemonSet")), Tuple.of(1, List.<String>of()),
        Tuple.of(2, List.of("StatefulSet")), Tuple.of(2, List.of("DaemonSet", "Deployment")))
        .injectNull(0.1);
    Arbitrary<String> action = Arbitraries.of("Auto", "Sleep", "Exec").injectNull(0.3);
    Arbitrary<Tuple.Tuple4<Long, Long, Long, String>> numbers = Combinators.combine(sleep, shutdown, floorExtra,
        action).as(Tuple::of);
    Arbitrary<Tuple.Tuple4<List<String>, List<String>, String, String>> shape = Combinators.combine(containers,
        excluded, existing, mode).as(Tuple::of);
    return Combinators.combine(selectors(), numbers, shape, priority, workloads).as((sel, n, s, prio, kinds) -> {
      GracefulPolicySpec spec = new GracefulPolicySpec();
      spec.setSelector(sel);
      spec.setPreStop(new PreStopSpec(n.get1(), n.get4()));
      spec.setShutdownSeconds(n.get2());
      if (n.get3() != null) {
        long shut = n.get2() == null ? GracefulPolicySpec.DEFAULT_SHUTDOWN_SECONDS : n.get2();
        spec.setTerminationGracePeriodSeconds(n.get1() + shut + n.get3());
      }
      spec.setContainers(new ArrayList<>(s.get1()));
      spec.setExcludeContainers(new ArrayList<>(s.get2()));
      spec.setExistingHook(s.get3());
      spec.setMode(s.get4());
      spec.setPriority(prio);
      spec.setWorkloads(kinds == null ? null : new ArrayList<>(kinds));
      return spec;
    });
  }

  @Provide
  Arbitrary<List<PolicySnapshot>> policyLists() {
    Arbitrary<String> created = Arbitraries.of("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z", "2023-06-01T12:00:00Z");
    Arbitrary<PolicySnapshot> other = specs().map(s -> new PolicySnapshot("other", "other-1",
        "2020-01-01T00:00:00Z", 1, s));
    return Combinators.combine(specs().list().ofMinSize(1).ofMaxSize(3), created.list().ofSize(3),
        other.optional(0.2)).as((specs, times, foreign) -> {
          List<PolicySnapshot> out = new ArrayList<>();
          for (int i = 0; i < specs.size(); i++) {
            out.add(new PolicySnapshot(NS, "p" + (i + 1), times.get(i), 1 + i, specs.get(i)));
          }
          foreign.ifPresent(out::add);
          return out;
        });
  }

  // keeps the generator honest: the validity of generated policies is part of the property's premise
  @Property(tries = 200, edgeCases = EdgeCasesMode.NONE)
  void generatedPoliciesAreValid(@ForAll("worlds") World w) {
    w.policies().forEach(p -> assertThat(PolicySettings.validate(p.spec()).problems()).isEmpty());
  }
}
