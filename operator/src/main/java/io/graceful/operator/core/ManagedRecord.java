package io.graceful.operator.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the operator changed on one Deployment and what was there before, kept in the Deployment's metadata
 * annotations (never the pod template) so that an undo is exact and survives operator restarts (R8).
 *
 * <ul>
 *   <li>{@code graceful.io/original}: the preStop each changed container had (null: none) and whether it had a
 *       lifecycle object; the grace period before the change, if the operator changed it.</li>
 *   <li>{@code graceful.io/applied}: what the operator wrote, to tell its own values from a person's later
 *       edit: only fields still holding the operator's value are restored.</li>
 *   <li>{@code graceful.io/reapplied}: how many times in a row the operator re-wrote a change that something
 *       else undid (R6).</li>
 * </ul>
 */
public record ManagedRecord(
    String policy,
    Map<String, Original> originalHooks,
    Map<String, LifecycleHandler> appliedHooks,
    boolean gracePeriodChanged,
    Long originalGracePeriod,
    Long appliedGracePeriod,
    int reapplied,
    String reappliedAt) {

  /** A container's preStop before the operator's change. */
  public record Original(LifecycleHandler preStop, boolean hadLifecycle) {}

  /** The annotations are present but cannot be read: the operator will not guess how to undo. */
  public static final class UnreadableRecordException extends Exception {
    public UnreadableRecordException(String message) {
      super(message);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONTAINERS = "containers";
  private static final String GRACE = "terminationGracePeriodSeconds";

  public ManagedRecord {
    originalHooks = new TreeMap<>(originalHooks);
    appliedHooks = new TreeMap<>(appliedHooks);
  }

  /** A record without the time of the last re-apply. */
  public ManagedRecord(String policy, Map<String, Original> originalHooks, Map<String, LifecycleHandler> appliedHooks,
      boolean gracePeriodChanged, Long originalGracePeriod, Long appliedGracePeriod, int reapplied) {
    this(policy, originalHooks, appliedHooks, gracePeriodChanged, originalGracePeriod, appliedGracePeriod, reapplied,
        null);
  }

  /** The re-apply count as it stands at {@code now}: zero once the last re-apply is older than the decay. */
  public int reappliedAsOf(java.time.Instant now, java.time.Duration decay) {
    if (reapplied == 0 || now == null || reappliedAt == null) {
      return reapplied;
    }
    try {
      return java.time.Instant.parse(reappliedAt).plus(decay).isBefore(now) ? 0 : reapplied;
    } catch (java.time.format.DateTimeParseException e) {
      return reapplied;
    }
  }

  public static Optional<ManagedRecord> read(Map<String, String> annotations) throws UnreadableRecordException {
    String policy = annotations.get(GracefulAnnotations.APPLIED_POLICY);
    String original = annotations.get(GracefulAnnotations.ORIGINAL);
    String applied = annotations.get(GracefulAnnotations.APPLIED);
    if (policy == null && original == null && applied == null) {
      return Optional.empty();
    }
    if (policy == null || original == null || applied == null) {
      throw new UnreadableRecordException("the operator's annotations are incomplete (" + GracefulAnnotations.ORIGINAL
          + ", " + GracefulAnnotations.APPLIED + " and " + GracefulAnnotations.APPLIED_POLICY + " go together)");
    }
    try {
      JsonNode o = JSON.readTree(original);
      JsonNode a = JSON.readTree(applied);
      if (o == null || a == null || !o.isObject() || !a.isObject()) {
        throw new UnreadableRecordException("the operator's annotations are not JSON objects");
      }
      Map<String, Original> originals = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = fields(o.get(CONTAINERS)); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode hook = e.getValue().get("preStop");
        originals.put(e.getKey(), new Original(hook(hook), e.getValue().path("lifecycle").asBoolean(false)));
      }
      Map<String, LifecycleHandler> applieds = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = fields(a.get(CONTAINERS)); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        applieds.put(e.getKey(), hook(e.getValue()));
      }
      if (!originals.keySet().equals(applieds.keySet())) {
        throw new UnreadableRecordException("the containers in " + GracefulAnnotations.ORIGINAL + " and "
            + GracefulAnnotations.APPLIED + " differ");
      }
      boolean graceChanged = a.has(GRACE);
      Long originalGrace = graceChanged ? longOrNull(o.get(GRACE)) : null;
      Long appliedGrace = graceChanged ? longOrNull(a.get(GRACE)) : null;
      int reapplied = 0;
      String reappliedAt = null;
      String count = annotations.get(GracefulAnnotations.REAPPLIED);
      if (count != null) {
        // "N" or "N <time of the last re-apply>"
        String[] parts = count.trim().split("\\s+", 2);
        try {
          reapplied = Math.max(0, Integer.parseInt(parts[0]));
        } catch (NumberFormatException e) {
          throw new UnreadableRecordException(GracefulAnnotations.REAPPLIED + " is not a number: '" + count + "'");
        }
        reappliedAt = parts.length > 1 ? parts[1] : null;
      }
      return Optional.of(new ManagedRecord(policy, originals, applieds, graceChanged, originalGrace, appliedGrace,
          reapplied, reappliedAt));
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new UnreadableRecordException("the operator's annotations are not valid JSON: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
  }

  private static Iterator<Map.Entry<String, JsonNode>> fields(JsonNode node) throws UnreadableRecordException {
    if (node == null || node.isNull()) {
      return java.util.Collections.emptyIterator();
    }
    if (!node.isObject()) {
      throw new UnreadableRecordException("'" + CONTAINERS + "' is not an object");
    }
    return node.fields();
  }

  private static LifecycleHandler hook(JsonNode node) throws JsonProcessingException {
    return node == null || node.isNull() ? null : JSON.treeToValue(node, LifecycleHandler.class);
  }

  private static Long longOrNull(JsonNode node) {
    return node == null || node.isNull() ? null : node.asLong();
  }

  /** The annotation values, deterministic (sorted keys) so that an unchanged record compares equal as text. */
  public Map<String, String> toAnnotations() {
    ObjectNode o = JSON.createObjectNode();
    ObjectNode a = JSON.createObjectNode();
    ObjectNode oc = o.putObject(CONTAINERS);
    ObjectNode ac = a.putObject(CONTAINERS);
    originalHooks.forEach((name, orig) -> {
      ObjectNode entry = oc.putObject(name);
      entry.set("preStop", orig.preStop() == null ? null : JSON.valueToTree(orig.preStop()));
      entry.put("lifecycle", orig.hadLifecycle());
    });
    appliedHooks.forEach((name, hook) -> ac.set(name, JSON.valueToTree(hook)));
    if (gracePeriodChanged) {
      if (originalGracePeriod == null) {
        o.putNull(GRACE);
      } else {
        o.put(GRACE, originalGracePeriod);
      }
      a.put(GRACE, appliedGracePeriod);
    }
    Map<String, String> out = new LinkedHashMap<>();
    out.put(GracefulAnnotations.APPLIED_POLICY, policy);
    out.put(GracefulAnnotations.ORIGINAL, o.toString());
    out.put(GracefulAnnotations.APPLIED, a.toString());
    if (reapplied > 0) {
      out.put(GracefulAnnotations.REAPPLIED, reapplied + (reappliedAt == null ? "" : " " + reappliedAt));
    }
    return out;
  }

  /**
   * The template as it would be without the operator: each field still holding the operator's value gets its
   * original back; a field a person changed since keeps the person's value.
   */
  public PodTemplateHooks undo(PodTemplateHooks current) {
    PodTemplateHooks out = current;
    for (ContainerHook c : current.containers()) {
      LifecycleHandler applied = appliedHooks.get(c.name());
      if (appliedHooks.containsKey(c.name()) && java.util.Objects.equals(applied, c.preStop())) {
        Original orig = originalHooks.get(c.name());
        out = out.with(c.restored(orig.preStop(), orig.hadLifecycle()));
      }
    }
    if (gracePeriodChanged && java.util.Objects.equals(appliedGracePeriod, current.terminationGracePeriodSeconds())) {
      out = out.withGracePeriod(originalGracePeriod);
    }
    return out;
  }

  /** Fields (container names, and {@code null} for the grace period) whose value is no longer the operator's. */
  public java.util.Set<String> fieldsChangedByOthers(PodTemplateHooks current) {
    java.util.Set<String> changed = new java.util.HashSet<>();
    appliedHooks.forEach((name, hook) -> current.container(name)
        .filter(c -> !java.util.Objects.equals(c.preStop(), hook))
        .ifPresent(c -> changed.add(name)));
    if (gracePeriodChanged && !java.util.Objects.equals(appliedGracePeriod, current.terminationGracePeriodSeconds())) {
      changed.add(GRACE_FIELD);
    }
    return changed;
  }

  /** Name used for the grace period in {@link #fieldsChangedByOthers}; cannot clash with a container name. */
  public static final String GRACE_FIELD = "/terminationGracePeriodSeconds";
}
