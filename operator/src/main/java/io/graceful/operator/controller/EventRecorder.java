package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits core/v1 Events about Deployments and policies (R11), remembering what was reported on the server itself
 * rather than in the operator, so a restart or a new leader stays quiet (R6) without reading the Events back.
 *
 * <p><b>One Event per fact, with a deterministic name.</b> An Event's name is {@code <object-name>.<hash>} in the
 * object's namespace, the hash (16 hex digits of SHA-256) covering the involved object's kind, namespace, name and
 * uid, the reason and the message: the same key Kubernetes' own event recorder uses to aggregate a series into one
 * Event (count, lastTimestamp). The message is part of the key because one object can stand under several decisions
 * of one reason at once (two malformed annotations are two {@code InvalidAnnotation} Events): keyed by reason alone
 * they would overwrite each other on every reconciliation and never be quiet. A recreated object (new uid) starts
 * new Events.
 *
 * <ul>
 *   <li>{@link #decided}: reported once per (object, reason, message). The Event is read by name first (one GET); if
 *       it exists with that message nothing is sent, else it is created (a 409 from a racing writer is read back).
 *       Reading first rather than creating first keeps a restarted operator or a new leader on an unchanged cluster
 *       to reads only: no create that the server refuses with 409 for every standing decision.</li>
 *   <li>{@link #changed}: always reported, each write being a new fact, usually with a new message: created first;
 *       on 409 AlreadyExists the existing Event is read and updated in place (count + 1, lastTimestamp, message) by
 *       a JSON Patch that tests the resourceVersion it read, as a Kubernetes event series is.</li>
 * </ul>
 *
 * <p><b>Bounded memory.</b> The only state is an LRU set of the last {@value #DEFAULT_REMEMBERED} decision Events
 * known to exist (namespace and Event name: typically about 150 bytes each, at most about 400 for the longest
 * names, so 1.5 to 4 MB), so a decision that keeps being made on every reconciliation costs no request at all. A
 * decision that fell out of it costs one GET when it is made again, never a write and never a repeated Event.
 * Nothing is read at start-up.
 *
 * <p><b>Event TTL.</b> The API server deletes core/v1 Events after its {@code --event-ttl} (1 hour by default). A
 * decision still standing after that is reported again, once, when it is next made by an operator that no longer
 * remembers it (after a restart, a leader change or an LRU eviction).
 */
public final class EventRecorder {
  public static final String COMPONENT = "graceful-operator";
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  /** Decision Events remembered (known to exist on the server) by default. */
  public static final int DEFAULT_REMEMBERED = 10_000;
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final int MAX_MESSAGE = 1024;
  private static final int MAX_NAME = 253;
  private static final int HASH_CHARS = 16;
  private static final PatchContext JSON_PATCH = new PatchContext.Builder().withPatchType(PatchType.JSON).build();

  private final KubernetesClient client;
  private final String instance;
  private final Recent remembered;

  public EventRecorder(KubernetesClient client, String instance) {
    this(client, instance, DEFAULT_REMEMBERED);
  }

  public EventRecorder(KubernetesClient client, String instance, int remember) {
    this.client = client;
    this.instance = instance;
    this.remembered = new Recent(remember);
  }

  /** Reports a change the operator just wrote: a new Event, or the count of the same one bumped. */
  public void changed(HasMetadata object, String type, String reason, String message) {
    String text = truncate(message);
    String namespace = eventNamespace(object);
    String name = eventName(object, reason, text);
    try {
      if (create(object, name, type, reason, text)) {
        return;
      }
      Event existing = get(namespace, name);
      if (existing == null) {
        // expired or deleted between the 409 and the read
        create(object, name, type, reason, text);
      } else {
        bump(existing, object, type, reason, text);
      }
    } catch (KubernetesClientException e) {
      failed(object, reason, e);
    }
  }

  /** Reports a decision; nothing is sent if the same decision was already reported for this object. */
  public void decided(HasMetadata object, String type, String reason, String message) {
    String text = truncate(message);
    String namespace = eventNamespace(object);
    String name = eventName(object, reason, text);
    String key = namespace + "/" + name;
    if (remembered.contains(key)) {
      return;
    }
    try {
      Event existing = get(namespace, name);
      if (existing == null) {
        if (!create(object, name, type, reason, text)) {
          existing = get(namespace, name); // another writer created it a moment ago
        }
      }
      if (existing != null && !sameFact(existing, object, reason, text)) {
        // only on a hash collision (or an Event edited by someone else): make it say what was decided
        bump(existing, object, type, reason, text);
      }
    } catch (KubernetesClientException e) {
      // remembered anyway: a decision whose Event cannot be written is not retried on every reconciliation
      failed(object, reason, e);
    }
    remembered.add(key);
  }

  /** How many decision Events are remembered now (never more than the bound given at construction). */
  public int remembered() {
    return remembered.size();
  }

  /**
   * The Event's name: {@code <object-name>.<hash>}, a valid DNS subdomain of at most 253 characters (the object
   * name is cut, and any '.' or '-' it then ends with dropped, to leave room for the hash).
   */
  static String eventName(HasMetadata object, String reason, String message) {
    var m = object.getMetadata();
    String hash = hash(object.getKind(), m.getNamespace(), m.getName(), m.getUid(), reason, message);
    String prefix = m.getName() == null ? "" : m.getName();
    if (prefix.length() > MAX_NAME - HASH_CHARS - 1) {
      prefix = prefix.substring(0, MAX_NAME - HASH_CHARS - 1);
    }
    prefix = prefix.replaceAll("[.-]+$", "");
    return prefix.isEmpty() ? hash : prefix + "." + hash;
  }

  private static String hash(String... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : parts) {
        sha.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, HASH_CHARS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static boolean sameFact(Event e, HasMetadata object, String reason, String message) {
    return e.getInvolvedObject() != null
        && Objects.equals(e.getInvolvedObject().getUid(), object.getMetadata().getUid())
        && Objects.equals(e.getReason(), reason)
        && Objects.equals(e.getMessage(), message);
  }

  private static String truncate(String message) {
    return message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /**
   * Where an Event about {@code object} lives: its namespace, or {@code default} for a cluster-scoped object (a
   * ClusterGracefulPolicy), as client-go's recorder does; {@code kubectl describe} finds it there.
   */
  static String eventNamespace(HasMetadata object) {
    String namespace = object.getMetadata().getNamespace();
    return namespace == null || namespace.isEmpty() ? "default" : namespace;
  }

  private Event get(String namespace, String name) {
    return client.v1().events().inNamespace(namespace).withName(name).get();
  }

  /** Creates the Event; false if one of that name exists already (409). */
  private boolean create(HasMetadata object, String name, String type, String reason, String text) {
    String now = now();
    Event event = new EventBuilder()
        .withNewMetadata()
          .withName(name)
          .withNamespace(eventNamespace(object))
          .addToLabels(MANAGED_BY_LABEL, COMPONENT)
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(object.getApiVersion())
            .withKind(object.getKind())
            .withName(object.getMetadata().getName())
            .withNamespace(object.getMetadata().getNamespace())
            .withUid(object.getMetadata().getUid())
            .withResourceVersion(object.getMetadata().getResourceVersion())
            .build())
        .withType(type)
        .withReason(reason)
        .withMessage(text)
        .withCount(1)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent("graceful.io/" + COMPONENT)
        .withReportingInstance(instance)
        .build();
    try {
      client.v1().events().inNamespace(eventNamespace(object)).resource(event).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return false;
      }
      throw e;
    }
  }

  /** Updates the Event in place as an event series: count + 1, lastTimestamp, and what it now says. */
  private void bump(Event existing, HasMetadata object, String type, String reason, String text) {
    int count = existing.getCount() == null ? 1 : existing.getCount();
    List<Map<String, Object>> ops = new ArrayList<>();
    if (existing.getMetadata().getResourceVersion() != null) {
      // fails (409/422) if anything wrote the Event since it was read: a lost bump, never a wrong count
      ops.add(op("test", "/metadata/resourceVersion", existing.getMetadata().getResourceVersion()));
    }
    ops.add(op("add", "/count", count + 1));
    ops.add(op("add", "/lastTimestamp", now()));
    ops.add(op("add", "/message", text));
    ops.add(op("add", "/type", type));
    ops.add(op("add", "/reason", reason));
    ops.add(op("add", "/reportingInstance", instance));
    if (existing.getInvolvedObject() != null && object.getMetadata().getResourceVersion() != null) {
      ops.add(op("add", "/involvedObject/resourceVersion", object.getMetadata().getResourceVersion()));
    }
    client.v1().events().inNamespace(existing.getMetadata().getNamespace())
        .withName(existing.getMetadata().getName())
        .patch(JSON_PATCH, client.getKubernetesSerialization().asJson(List.copyOf(ops)));
  }

  private static Map<String, Object> op(String op, String path, Object value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("op", op);
    m.put("path", path);
    m.put("value", value);
    return m;
  }

  private static void failed(HasMetadata object, String reason, KubernetesClientException e) {
    // an Event that cannot be written must never fail the reconciliation that decided it
    LOG.warn("could not write Event {} for {}/{}: {}", reason, object.getMetadata().getNamespace(),
        object.getMetadata().getName(), e.getMessage());
  }

  /** A bounded set, least recently used first out. */
  private static final class Recent {
    private final Map<String, Boolean> keys;

    Recent(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("must remember at least one Event, not " + capacity);
      }
      keys = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > capacity;
        }
      };
    }

    synchronized boolean contains(String key) {
      return keys.get(key) != null;
    }

    synchronized void add(String key) {
      keys.put(key, Boolean.TRUE);
    }

    synchronized int size() {
      return keys.size();
    }
  }
}
