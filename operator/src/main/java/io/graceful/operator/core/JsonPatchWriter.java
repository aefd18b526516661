package io.graceful.operator.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import java.util.Map;
import java.util.Objects;

/**
 * Turns "current owned fields" into "desired owned fields" as one RFC 6902 JSON Patch (R5): it touches only the
 * preStop hooks, the grace period and the operator's annotations, so a concurrent change to any other field (an
 * image bump) is kept by the server. {@code test} operations pin each container index to its name and each
 * replaced hook to the value planned over, so a concurrent reorder or hook edit fails the write (422) instead of
 * landing on the wrong container.
 */
public final class JsonPatchWriter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TEMPLATE = "/spec/template/spec";

  private JsonPatchWriter() {
  }

  public static ArrayNode diff(PodTemplateHooks current, PodTemplateHooks desired, Map<String, String> annotations,
      Map<String, String> desiredOwnedAnnotations) {
    ArrayNode ops = JSON.createArrayNode();
    for (ContainerHook now : current.containers()) {
      ContainerHook want = desired.containers().get(now.index());
      if (Objects.equals(now.preStop(), want.preStop()) && now.hasLifecycle() == want.hasLifecycle()) {
        continue;
      }
      String base = TEMPLATE + "/containers/" + now.index();
      test(ops, base + "/name", JSON.valueToTree(now.name()));
      if (now.preStop() != null) {
        test(ops, base + "/lifecycle/preStop", JSON.valueToTree(now.preStop()));
      }
      if (want.preStop() != null) {
        if (!now.hasLifecycle()) {
          ObjectNode lifecycle = JSON.createObjectNode();
          lifecycle.set("preStop", hook(want.preStop()));
          add(ops, base + "/lifecycle", lifecycle);
        } else {
          add(ops, base + "/lifecycle/preStop", hook(want.preStop()));
        }
      } else if (now.hasLifecycle() && !want.hasLifecycle()) {
        remove(ops, base + "/lifecycle");
      } else if (now.preStop() != null) {
        remove(ops, base + "/lifecycle/preStop");
      }
    }
    if (!Objects.equals(current.terminationGracePeriodSeconds(), desired.terminationGracePeriodSeconds())) {
      if (desired.terminationGracePeriodSeconds() == null) {
        remove(ops, TEMPLATE + "/terminationGracePeriodSeconds");
      } else {
        add(ops, TEMPLATE + "/terminationGracePeriodSeconds",
            JSON.getNodeFactory().numberNode(desired.terminationGracePeriodSeconds()));
      }
    }
    annotationOps(ops, annotations, desiredOwnedAnnotations);
    return ops;
  }

  static void annotationOps(ArrayNode ops, Map<String, String> current, Map<String, String> desired) {
    if (current == null || current.isEmpty() && !desired.isEmpty()) {
      if (!desired.isEmpty()) {
        ObjectNode all = JSON.createObjectNode();
        desired.forEach(all::put);
        // a missing map must be created whole: JSON Patch cannot add a member to an absent object
        add(ops, "/metadata/annotations", all);
      }
      return;
    }
    for (String key : GracefulAnnotations.OWNED) {
      String want = desired.get(key);
      String now = current.get(key);
      if (Objects.equals(want, now)) {
        continue;
      }
      String path = "/metadata/annotations/" + escape(key);
      if (want == null) {
        remove(ops, path);
      } else {
        add(ops, path, JSON.getNodeFactory().textNode(want));
      }
    }
  }

  private static ObjectNode hook(LifecycleHandler hook) {
    return JSON.valueToTree(hook);
  }

  private static void test(ArrayNode ops, String path, com.fasterxml.jackson.databind.JsonNode value) {
    ops.addObject().put("op", "test").put("path", path).set("value", value);
  }

  private static void add(ArrayNode ops, String path, com.fasterxml.jackson.databind.JsonNode value) {
    ops.addObject().put("op", "add").put("path", path).set("value", value);
  }

  private static void remove(ArrayNode ops, String path) {
    ops.addObject().put("op", "remove").put("path", path);
  }

  /** RFC 6901: '~' and '/' in a key. */
  static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
