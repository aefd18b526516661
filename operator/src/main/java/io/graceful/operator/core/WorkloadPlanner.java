package io.graceful.operator.core;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.graceful.operator.api.v1alpha1.DeploymentState;
import io.graceful.operator.api.v1alpha1.ExistingHook;
import io.graceful.operator.api.v1alpha1.HookAction;
import io.graceful.operator.api.v1alpha1.PolicyMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides everything about one workload (docs/rules.md): which policy governs it (R7), the hooks and grace period it
 * should carry (R1-R4), the undo (R8), the fight guard (R6) and the words for status and Events. Pure: same
 * inputs, same plan; no client, no clock.
 *
 * <p>Planning always starts from the template as it would be without the operator ({@link ManagedRecord#undo}),
 * so a policy edit, a switch of governing policy and a revert are the same computation, and re-planning the
 * plan's own output changes nothing.
 */
public final class WorkloadPlanner {

  private WorkloadPlanner() {
  }

  public static WorkloadPlan plan(Workload workload, List<PolicySnapshot> policies, PlanningContext context) {
    return plan(workload, policies, context, NamespaceView.UNKNOWN);
  }

  /** As above, with what is known of the workload's namespace, for cluster policies' namespace selectors. */
  public static WorkloadPlan plan(Workload workload, List<PolicySnapshot> policies, PlanningContext context,
      NamespaceView namespaceView) {
    return new Planning(workload, policies, context, namespaceView).run();
  }

  /** One planning run; holds the intermediate values so that each step reads as a sentence. */
  private static final class Planning {
    private final Workload workload;
    private final String namespace;
    private final Map<String, String> annotations;
    /** The kind as status and Events name it ("Deployment", "StatefulSet", ...). */
    private final String kindWord;
    private final List<PolicySnapshot> policies;
    private final PlanningContext context;
    private final NamespaceView namespaceView;
    private final List<PolicyVerdict> verdicts = new ArrayList<>();
    private final List<Notice> notices = new ArrayList<>();
    /**
     * The operator's earlier grace-period change, kept in the record while a GitOps tool holds the field: it is
     * the evidence that the tool sets the field back (Helm leaves no other), so the next plan fits again instead
     * of raising again.
     */
    private ManagedRecord yieldedGraceClaim;

    Planning(Workload workload, List<PolicySnapshot> policies, PlanningContext context, NamespaceView namespaceView) {
      this.namespaceView = namespaceView;
      this.workload = workload;
      this.namespace = workload.namespace();
      this.annotations = workload.annotations();
      this.kindWord = workload.ref().kind().name();
      this.policies = policies;
      this.context = context;
    }

    WorkloadPlan run() {
      String namedValue = blankToNull(annotations.get(GracefulAnnotations.POLICY));
      PolicyRef named = PolicyRef.parse(namedValue, namespace);
      WorkloadKind kind = workload.ref().kind();
      List<PolicySnapshot> inScope = policies.stream()
          // a namespaced policy governs the workloads of its own namespace only, a cluster policy those of the
          // namespaces its namespaceSelector selects; naming a cluster policy does not widen that (R12)
          .filter(p -> p.inScope(namespace, namespaceView))
          .toList();
      List<PolicySnapshot> matching = inScope.stream()
          // and only the kinds it lists in spec.workloads (default: Deployments)
          .filter(p -> GovernedKinds.governs(p.spec(), kind))
          .filter(p -> p.ref().equals(named) || p.spec() != null
              && LabelSelectorMatcher.matches(p.spec().getSelector(), workload.labels()))
          .toList();
      List<PolicySnapshot> ordered = PolicyPrecedence.order(matching, named);
      if (named != null && matching.stream().noneMatch(p -> p.ref().equals(named))) {
        boolean exists = inScope.stream().anyMatch(p -> p.ref().equals(named));
        notices.add(new Notice("PolicyNotFound", GracefulAnnotations.POLICY + " names policy '" + namedValue
            + (exists ? "', which does not govern " + kind.name() + "s (add " + kind.name() + " to its "
                + "spec.workloads)" : named.isCluster() ? "', which does not exist or whose namespaceSelector does "
                + "not select namespace " + namespace : "', which does not exist in namespace " + namespace)));
      }

      if (workload.templateReferenced()) {
        // the pods come from the referenced Deployment's template: that Deployment is governed as a Deployment
        // when a policy selects it, and the Rollout itself has nothing to change
        return frozen(ordered, "TemplateInWorkloadRef", "the " + kindWord + " takes its pod template from "
            + "spec.workloadRef; the referenced Deployment is governed as a Deployment when a policy selects it");
      }
      PodTemplateHooks current = PodTemplateHooks.of(workload).orElse(null);
      if (current == null) {
        return frozen(ordered, "InvalidDeployment", "the " + kindWord + " has no pod template containers to manage");
      }
      ManagedRecord record;
      try {
        record = ManagedRecord.read(annotations).orElse(null);
      } catch (ManagedRecord.UnreadableRecordException e) {
        notices.add(new Notice("UnreadableRecord", e.getMessage() + "; the operator leaves this " + kindWord + " alone. "
            + "Restore the annotations, or remove every graceful.io/ annotation the operator wrote to start over"));
        return frozen(ordered, "UnreadableRecord", e.getMessage());
      }
      PodTemplateHooks base = record == null ? current : record.undo(current);

      String owner = WorkloadShape.controllerOwner(workload);
      if (owner != null) {
        return standAside(ordered, current, record, "OwnedByController", "owned by " + owner
            + " (ownerReference with controller: true), which manages this " + kindWord
            + "'s template and would undo "
            + "the operator's change");
      }

      String enabled = annotations.get(GracefulAnnotations.ENABLED);
      if (enabled != null && !enabled.trim().equalsIgnoreCase("true") && !enabled.trim().equalsIgnoreCase("false")) {
        notices.add(new Notice("InvalidAnnotation", GracefulAnnotations.ENABLED + "='" + enabled
            + "' is neither \"true\" nor \"false\"; the " + kindWord
            + " is left as it is until it is fixed"));
        return frozen(ordered, "InvalidAnnotation", GracefulAnnotations.ENABLED + " must be \"true\" or \"false\"");
      }
      boolean optedOut = enabled != null && enabled.trim().equalsIgnoreCase("false");
      if (optedOut || ordered.isEmpty()) {
        for (PolicySnapshot p : ordered) {
          verdicts.add(new PolicyVerdict(p.id(), DeploymentState.Skipped, "OptedOut",
              "opted out with " + GracefulAnnotations.ENABLED + "=false"));
        }
        return finish(current, base, null, null, null, record, "");
      }

      PolicySnapshot winner = ordered.get(0);
      boolean optedIn = enabled != null || winner.ref().equals(named);
      if (WorkloadShape.recreates(workload) && !optedIn) {
        return standAside(ordered, current, record, "RecreateStrategy", "strategy Recreate stops every pod before "
            + "new ones start: the operator's change would restart them all at once (an outage), and the sleep "
            + "adds its seconds to the outage of every later rollout; opt in with " + GracefulAnnotations.ENABLED
            + "=true (the sleep still helps scale-down and node drains)");
      }
      for (PolicySnapshot loser : ordered.subList(1, ordered.size())) {
        // a team's namespaced policy refining the platform default is the intended use, not a conflict (R7)
        verdicts.add(!winner.isCluster() && loser.isCluster()
            ? new PolicyVerdict(loser.id(), DeploymentState.Skipped, "OverriddenByNamespacePolicy",
                "overridden by policy " + winner.namespace() + "/" + winner.name()
                    + ": a namespaced policy overrides a cluster policy")
            : new PolicyVerdict(loser.id(), DeploymentState.Conflict, "GovernedByOtherPolicy",
                "governed by policy " + winner.id() + ": " + PolicyPrecedence.explain(winner, loser, named)));
      }
      PolicySettings.Validated validated = winner.settings();
      if (!validated.valid()) {
        // frozen, except that a hook of the operator's must still end before the grace period does (R1)
        HookFit fit = record == null ? null : HookFit.within(current, record, 0);
        verdicts.add(0, new PolicyVerdict(winner.id(), DeploymentState.Skipped, "PolicyInvalid",
            "policy " + winner.id() + " is invalid; the " + kindWord + " is left as it is"
                + (fit != null && fit.changed() ? " except that the operator " + fit.summary() : "")));
        if (fit == null || !fit.changed()) {
          return result(winner.id(), null, Change.NONE, emptyPatch(), "");
        }
        return result(winner.id(), null, Change.FIT,
            JsonPatchWriter.diff(current, fit.hooks(), annotations, withRollout(fit.record().toAnnotations(), true)),
            fit.summary());
      }
      PolicySettings settings = validated.settings();
      DeploymentOverrides overrides = DeploymentOverrides.resolve(annotations, settings);
      overrides.problems().forEach(p -> notices.add(new Notice("InvalidAnnotation", p)));
      HookAction action = PolicySettings.resolve(overrides.action(), context.autoUsesSleep());
      if (action == HookAction.Sleep && !context.sleepAccepted()) {
        verdicts.add(0, new PolicyVerdict(winner.id(), DeploymentState.Skipped, "SleepActionUnsupported",
            "the native sleep action was requested but this API server does not support it (Kubernetes < 1.30); "
                + "use action Exec or Auto"));
        return result(winner.id(), action, Change.NONE, emptyPatch(), "");
      }

      boolean graceUndone = record != null && record.fieldsChangedByOthers(current).contains(ManagedRecord.GRACE_FIELD);
      Target target = target(base, current, settings, overrides, action, graceUndone);
      if (target.declaredBy != null && record != null && record.gracePeriodChanged()) {
        yieldedGraceClaim = record;
      }
      if (!target.missing.isEmpty() && !target.selected.isEmpty()) {
        notices.add(new Notice("ContainerNotFound", "policy " + winner.id() + " lists containers this " + kindWord + " "
            + "does not have: " + String.join(", ", target.missing)));
      }
      if (settings.mode() == PolicyMode.Audit) {
        boolean compliant = target.hooks.equals(base);
        verdicts.add(0, new PolicyVerdict(winner.id(), DeploymentState.Audit,
            compliant ? "Compliant" : "WouldChange",
            compliant ? "audit: nothing to change" : "audit: would " + target.describe(base)));
        return finish(current, base, winner.id(), action, null, record, "");
      }
      if (target.declaredBy != null && target.fittedSleep < 1 && !target.ours.isEmpty()) {
        verdicts.add(0, new PolicyVerdict(winner.id(), DeploymentState.Conflict, "OwnedByGitOps",
            "terminationGracePeriodSeconds " + current.effectiveGracePeriod() + " is set by " + target.declaredBy
                + " and leaves no room for a preStop sleep with shutdownSeconds " + target.shutdown
                + "; set it to at least " + needed(target.sleep, target.shutdown) + " in the manifest, or let the "
                + "operator own it (README: GitOps)"));
        return finish(current, base, winner.id(), action, null, record, "");
      }
      if (target.selected.isEmpty()) {
        verdicts.add(0, new PolicyVerdict(winner.id(), DeploymentState.Skipped, "NoMatchingContainers",
            "no container matches the policy's containers/excludeContainers" + target.missingNote()));
        return finish(current, base, winner.id(), action, null, record, "");
      }
      return finish(current, base, winner.id(), action, target, record, target.describe(current));
    }

    /** Chooses the write (if any) that turns {@code current} into {@code target} (or into {@code base}). */
    private WorkloadPlan finish(PodTemplateHooks current, PodTemplateHooks base, String governing,
        HookAction action, Target target, ManagedRecord record, String applySummary) {
      PodTemplateHooks desired = target == null ? base : target.hooks;
      Map<String, String> owned = target == null || desired.equals(base) ? Map.of()
          : newRecord(governing, base, desired, record == null ? 0 : record.reapplied(),
              record == null ? null : record.reappliedAt()).toAnnotations();
      boolean templateChanges = !desired.equals(current);
      owned = withRollout(owned, templateChanges);
      ArrayNode patch = JsonPatchWriter.diff(current, desired, annotations, owned);

      if (target == null) {
        // not governed (or audit / nothing selected): restore and forget
        String summary = templateChanges ? "restored " + describeRevert(current, desired) : "removed stale annotations";
        return result(governing, action, patch.isEmpty() ? Change.NONE : Change.REVERT, patch, summary);
      }

      boolean ours = !target.ours.isEmpty();
      if (patch.isEmpty()) {
        verdicts.add(0, !ours
            ? new PolicyVerdict(governing, DeploymentState.Skipped, "ExistingHook", target.keptMessage())
            : target.declaredBy != null && target.fittedSleep < target.sleep
                ? new PolicyVerdict(governing, DeploymentState.Applied, "ShortenedForGitOps", target.fittedMessage(desired))
                : WorkloadShape.awaitsRestart(workload)
                    ? new PolicyVerdict(governing, DeploymentState.Applied, "AppliesOnNextRestart",
                        target.appliedMessage(desired) + "; updateStrategy OnDelete: the pods get it when they are "
                            + "next deleted or restarted, not before")
                    : RolloutProgress.operatorRolloutInFlight(workload) && workload.rollout() == RolloutProgress.State.PAUSED
                        ? new PolicyVerdict(governing, DeploymentState.Applied, "RolloutPaused",
                            target.appliedMessage(desired) + "; the " + kindWord + " is paused (a canary or "
                                + "blue-green pause step, or paused by hand): the change holds a rollout slot "
                                + "until the rollout is promoted or aborted")
                        : new PolicyVerdict(governing, DeploymentState.Applied, "Applied", target.appliedMessage(desired)));
        return result(governing, action, Change.NONE, patch, "");
      }
      Set<String> touchedByOthers = record == null ? Set.of() : record.fieldsChangedByOthers(current);
      boolean fight = touchedByOthers.stream().anyMatch(field -> rewrites(field, current, desired));
      int prior = record == null ? 0 : record.reappliedAsOf(context.now(), PlanningContext.REAPPLY_DECAY);
      if (fight && prior >= context.maxReapplies()) {
        // R1 is absolute: the operator stops re-applying, but its own hook must still fit the grace period
        // that the other writer left
        HookFit fit = HookFit.within(current, record, target.shutdown);
        verdicts.add(0, new PolicyVerdict(governing, DeploymentState.Conflict, "FightingAnotherController",
            "something keeps undoing the operator's change (re-applied " + prior + " times); "
                + "the operator stopped" + (fit.changed() ? " and " + fit.summary() : "") + ". Remove the annotation "
                + GracefulAnnotations.REAPPLIED + " to let it try again"));
        if (!fit.changed()) {
          return result(governing, action, Change.NONE, emptyPatch(), "");
        }
        return result(governing, action, Change.FIT,
            JsonPatchWriter.diff(current, fit.hooks(), annotations, withRollout(fit.record().toAnnotations(), true)),
            fit.summary() + " (policy " + governing + ")");
      }
      int reapplied = fight ? prior + 1 : 0;
      Map<String, String> finalOwned = withRollout(ours || !desired.equals(base)
          ? newRecord(governing, base, desired, reapplied,
              fight && context.now() != null ? context.now().toString() : null).toAnnotations() : Map.of(),
          templateChanges);
      ArrayNode finalPatch = JsonPatchWriter.diff(current, desired, annotations, finalOwned);
      verdicts.add(0, new PolicyVerdict(governing, DeploymentState.Pending, "ChangePending",
          "waiting for the operator to " + applySummary));
      return result(governing, action, fight ? Change.REAPPLY : Change.APPLY, finalPatch,
          (fight ? "re-applied (attempt " + reapplied + " of " + context.maxReapplies() + ", something undid it): "
              : "") + applySummary + " (policy " + governing + ")");
    }

    /**
     * Adds the {@link GracefulAnnotations#ROLLOUT} bookkeeping to the operator's annotations: a template write on a
     * Deployment with running pods records the generation it produces; the value stays with the record, and
     * without a record (after a revert) only until that rollout has ended (or the cache has not seen it yet).
     */
    private Map<String, String> withRollout(Map<String, String> owned, boolean templateChanges) {
      long generation = workload.generation();
      String now = annotations.get(GracefulAnnotations.ROLLOUT);
      String want;
      if (templateChanges) {
        want = workload.restartsPods() ? Long.toString(generation + 1) : null;
      } else if (now == null || !owned.isEmpty()) {
        want = now;
      } else {
        want = stillRolling(now, generation) ? now : null;
      }
      if (want == null) {
        return owned;
      }
      Map<String, String> out = new LinkedHashMap<>(owned);
      out.put(GracefulAnnotations.ROLLOUT, want);
      return out;
    }

    private boolean stillRolling(String value, long generation) {
      try {
        long g = Long.parseLong(value.trim());
        return g > generation || g == generation && (workload.rollout() == RolloutProgress.State.IN_PROGRESS
            || workload.rollout() == RolloutProgress.State.PAUSED);
      } catch (NumberFormatException e) {
        return false;
      }
    }

    private boolean rewrites(String field, PodTemplateHooks current, PodTemplateHooks desired) {
      if (field.equals(ManagedRecord.GRACE_FIELD)) {
        return !Objects.equals(current.terminationGracePeriodSeconds(), desired.terminationGracePeriodSeconds());
      }
      return current.container(field).map(c -> !Objects.equals(c.preStop(),
          desired.containers().get(c.index()).preStop())).orElse(false);
    }

    private ManagedRecord newRecord(String policy, PodTemplateHooks base, PodTemplateHooks desired, int reapplied,
        String reappliedAt) {
      Map<String, ManagedRecord.Original> originals = new TreeMap<>();
      Map<String, LifecycleHandler> applied = new TreeMap<>();
      for (ContainerHook was : base.containers()) {
        ContainerHook now = desired.containers().get(was.index());
        if (!Objects.equals(was.preStop(), now.preStop())) {
          originals.put(was.name(), new ManagedRecord.Original(was.preStop(), was.hasLifecycle()));
          applied.put(was.name(), now.preStop());
        }
      }
      boolean graceChanged = !Objects.equals(base.terminationGracePeriodSeconds(),
          desired.terminationGracePeriodSeconds());
      if (!graceChanged && yieldedGraceClaim != null) {
        return new ManagedRecord(policy, originals, applied, true, yieldedGraceClaim.originalGracePeriod(),
            yieldedGraceClaim.appliedGracePeriod(), reapplied, reappliedAt);
      }
      return new ManagedRecord(policy, originals, applied, graceChanged,
          graceChanged ? base.terminationGracePeriodSeconds() : null,
          graceChanged ? desired.terminationGracePeriodSeconds() : null, reapplied, reappliedAt);
    }

    /** The policy's hooks and grace period laid over {@code base} (R1-R4). */
    private Target target(PodTemplateHooks base, PodTemplateHooks current, PolicySettings settings,
        DeploymentOverrides overrides, HookAction action, boolean graceUndone) {
      Target t = new Target(overrides.sleepSeconds(), overrides.shutdownSeconds(), action);
      Set<String> names = new java.util.HashSet<>();
      base.containers().forEach(c -> names.add(c.name()));
      for (String wanted : settings.containers()) {
        if (!names.contains(wanted)) {
          t.missing.add(wanted);
        }
      }
      LifecycleHandler hook = SleepHooks.of(action, overrides.sleepSeconds());
      PodTemplateHooks out = base;
      long required = 0;
      for (ContainerHook c : base.containers()) {
        boolean listed = settings.containers().isEmpty() || settings.containers().contains(c.name());
        if (!listed || settings.excludeContainers().contains(c.name())) {
          continue;
        }
        t.selected.add(c.name());
        if (c.preStop() == null || settings.existingHook() == ExistingHook.Replace || c.preStop().equals(hook)) {
          out = out.with(c.withPreStop(hook));
          t.ours.add(c.name());
          required = Math.max(required, needed(overrides.sleepSeconds(), overrides.shutdownSeconds()));
        } else {
          OptionalLong sleep = SleepHooks.recognisedSleep(c.preStop());
          t.kept.put(c.name(), SleepHooks.describe(c.preStop()));
          if (sleep.isPresent()) {
            required = Math.max(required, needed(sleep.getAsLong(), overrides.shutdownSeconds()));
          }
        }
      }
      if (required > 0 && settings.gracePeriodFloor() != null) {
        required = Math.max(required, settings.gracePeriodFloor());
      }
      // R2: never below what the template has now (30 when omitted); never written when already enough
      java.util.Optional<String> declaredBy = required > current.effectiveGracePeriod()
          ? DeclaredFields.gracePeriodOwner(workload, graceUndone) : java.util.Optional.empty();
      if (declaredBy.isPresent()) {
        // a manifest sets the grace period and its tool would set it back: fit the hook instead of fighting
        long grace = current.effectiveGracePeriod();
        long fitted = Math.min(overrides.sleepSeconds(), Math.min(grace - overrides.shutdownSeconds(), grace - 1));
        t.declaredBy = declaredBy.get();
        t.fittedSleep = fitted;
        for (String name : t.ours) {
          ContainerHook c = base.container(name).orElseThrow();
          out = out.with(fitted >= 1 ? c.withPreStop(SleepHooks.of(action, fitted)) : c);
        }
        out = out.withGracePeriod(current.terminationGracePeriodSeconds());
      } else if (required > current.effectiveGracePeriod()) {
        out = out.withGracePeriod(required);
      } else {
        out = out.withGracePeriod(current.terminationGracePeriodSeconds());
      }
      t.hooks = out;
      return t;
    }

    /** R1: the hook must end before the grace period does, with the app's shutdown time left over. */
    private static long needed(long sleep, long shutdown) {
      return Math.max(sleep + shutdown, sleep + 1);
    }

    /**
     * Leaves a Deployment the operator must not change (another controller's, or one whose restart is an outage):
     * no write, except that a hook of the operator's must still end before the grace period does (R1).
     */
    private WorkloadPlan standAside(List<PolicySnapshot> ordered, PodTemplateHooks current, ManagedRecord record,
        String reason, String message) {
      HookFit fit = record == null ? null : HookFit.within(current, record, governingShutdown(ordered));
      String text = message + (record == null ? "" : fit.changed()
          ? "; the operator's earlier change is kept, except that it " + fit.summary()
          : "; the operator's earlier change is left as it is");
      if (fit == null || !fit.changed()) {
        return frozen(ordered, reason, text);
      }
      for (PolicySnapshot p : ordered) {
        verdicts.add(new PolicyVerdict(p.id(), DeploymentState.Skipped, reason, text));
      }
      return result(ordered.isEmpty() ? null : ordered.get(0).name(), null, Change.FIT,
          JsonPatchWriter.diff(current, fit.hooks(), annotations, withRollout(fit.record().toAnnotations(), true)),
          fit.summary());
    }

    /** The shutdown seconds R1 keeps room for: the governing policy's (with the workload's override), else 0. */
    private long governingShutdown(List<PolicySnapshot> ordered) {
      if (ordered.isEmpty()) {
        return 0;
      }
      PolicySettings.Validated validated = ordered.get(0).settings();
      return validated.valid() ? DeploymentOverrides.resolve(annotations, validated.settings()).shutdownSeconds() : 0;
    }

    private WorkloadPlan frozen(List<PolicySnapshot> ordered, String reason, String message) {
      for (PolicySnapshot p : ordered) {
        verdicts.add(new PolicyVerdict(p.id(), DeploymentState.Skipped, reason, message));
      }
      return result(ordered.isEmpty() ? null : ordered.get(0).name(), null, Change.NONE, emptyPatch(), "");
    }

    private WorkloadPlan result(String governing, HookAction action, Change change, ArrayNode patch,
        String summary) {
      return new WorkloadPlan(workload.ref(), verdicts, governing, action, change, patch, summary, notices);
    }

    private static ArrayNode emptyPatch() {
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    }

    private static String describeRevert(PodTemplateHooks current, PodTemplateHooks desired) {
      List<String> parts = new ArrayList<>();
      for (ContainerHook c : current.containers()) {
        ContainerHook d = desired.containers().get(c.index());
        if (!Objects.equals(c.preStop(), d.preStop())) {
          parts.add(c.name() + " preStop " + SleepHooks.describe(c.preStop()) + " -> " + SleepHooks.describe(d.preStop()));
        }
      }
      if (!Objects.equals(current.terminationGracePeriodSeconds(), desired.terminationGracePeriodSeconds())) {
        parts.add("terminationGracePeriodSeconds " + current.terminationGracePeriodSeconds() + " -> "
            + (desired.terminationGracePeriodSeconds() == null ? "unset (30)" : desired.terminationGracePeriodSeconds()));
      }
      return String.join(", ", parts);
    }

    private static String blankToNull(String s) {
      return s == null || s.isBlank() ? null : s.trim();
    }
  }

  /** The policy's intended template for one Deployment, with the bookkeeping needed to explain it. */
  private static final class Target {
    final long sleep;
    final long shutdown;
    final HookAction action;
    final List<String> selected = new ArrayList<>();
    final List<String> ours = new ArrayList<>();
    final Map<String, String> kept = new LinkedHashMap<>();
    final List<String> missing = new ArrayList<>();
    PodTemplateHooks hooks;
    /** The manager whose manifest sets the grace period, when the hook was fitted to it instead of raising it. */
    String declaredBy;
    long fittedSleep;

    Target(long sleep, long shutdown, HookAction action) {
      this.sleep = sleep;
      this.shutdown = shutdown;
      this.action = action;
    }

    String describe(PodTemplateHooks from) {
      List<String> parts = new ArrayList<>();
      List<String> changed = ours.stream().filter(n -> !Objects.equals(from.container(n).orElseThrow().preStop(),
          hooks.container(n).orElseThrow().preStop())).toList();
      if (!changed.isEmpty()) {
        parts.add("set preStop " + hookWords() + " on " + String.join(", ", changed));
      }
      if (!Objects.equals(from.terminationGracePeriodSeconds(), hooks.terminationGracePeriodSeconds())) {
        parts.add("raise terminationGracePeriodSeconds " + from.effectiveGracePeriod() + " -> "
            + hooks.effectiveGracePeriod());
      }
      if (parts.isEmpty()) {
        parts.add("update its bookkeeping annotations");
      }
      if (!kept.isEmpty()) {
        parts.add("keep the existing hook of " + String.join(", ", kept.keySet()));
      }
      return String.join("; ", parts);
    }

    String hookWords() {
      long s = declaredBy != null ? fittedSleep : sleep;
      return action == HookAction.Sleep ? "sleep " + s + "s (native sleep action)" : "exec sleep " + s;
    }

    String appliedMessage(PodTemplateHooks desired) {
      String msg = "preStop " + hookWords() + " on " + String.join(", ", ours) + "; terminationGracePeriodSeconds "
          + desired.effectiveGracePeriod() + " (shutdown " + shutdown + "s)"
          + (declaredBy == null ? "" : ", set by " + declaredBy + ": the policy's floor is not applied to it");
      return kept.isEmpty() ? msg : msg + "; kept existing hook of " + String.join(", ", kept.keySet());
    }

    String fittedMessage(PodTemplateHooks desired) {
      return "preStop sleep " + fittedSleep + "s instead of " + sleep + "s on " + String.join(", ", ours)
          + ": terminationGracePeriodSeconds " + desired.effectiveGracePeriod() + " is set by " + declaredBy
          + " and must cover sleep + shutdown (" + shutdown + "s); set it to at least " + Math.max(sleep + shutdown,
              sleep + 1) + " in the manifest for the full sleep (README: GitOps)";
    }

    String keptMessage() {
      List<String> parts = new ArrayList<>();
      kept.forEach((c, h) -> parts.add(c + " (" + h + ")"));
      return "kept the existing preStop hook of " + String.join(", ", parts)
          + " (existingHook: Keep); grace period checked against recognised sleeps";
    }

    String missingNote() {
      return missing.isEmpty() ? "" : "; not found: " + String.join(", ", missing);
    }
  }
}
