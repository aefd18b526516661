package io.graceful.operator.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.zjsonpatch.JsonPatch;
import io.graceful.operator.api.v1alpha1.GracefulPolicySpec;
import io.graceful.operator.api.v1alpha1.PreStopSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builders and helpers shared by the core tests: Deployments, policies, and applying a plan's JSON Patch. */
final class CoreFixtures {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String NS = "shop";

  private CoreFixtures() {
  }

  // ---------------------------------------------------------------- hooks

  static LifecycleHandler execSleep(long n) {
    return new LifecycleHandlerBuilder().withNewExec().withCommand("sleep", Long.toString(n)).endExec().build();
  }

  static LifecycleHandler binSleep(long n) {
    return new LifecycleHandlerBuilder().withNewExec().withCommand("/bin/sleep", Long.toString(n)).endExec().build();
  }

  static LifecycleHandler shSleep(String seconds) {
    return new LifecycleHandlerBuilder().withNewExec().withCommand("sh", "-c", "sleep " + seconds).endExec().build();
  }

  static LifecycleHandler nativeSleep(long n) {
    return new LifecycleHandlerBuilder().withNewSleep().withSeconds(n).endSleep().build();
  }

  static LifecycleHandler httpGet(String path) {
    return new LifecycleHandlerBuilder().withNewHttpGet().withPath(path).withNewPort(8080).endHttpGet().build();
  }

  static LifecycleHandler execOther(String... cmd) {
    return new LifecycleHandlerBuilder().withNewExec().withCommand(cmd).endExec().build();
  }

  // ---------------------------------------------------------------- containers and Deployments

  static Container container(String name) {
    return new ContainerBuilder().withName(name).withImage("registry.example/" + name + ":1.0").build();
  }

  static Container container(String name, LifecycleHandler preStop) {
    return new ContainerBuilder(container(name)).withNewLifecycle().withPreStop(preStop).endLifecycle().build();
  }

  static Container containerWithPostStart(String name, LifecycleHandler preStop) {
    return new ContainerBuilder(container(name)).withNewLifecycle().withPreStop(preStop)
        .withPostStart(execOther("/bin/warm-up")).endLifecycle().build();
  }

  static Deployment deployment(String name, Map<String, String> labels, Map<String, String> annotations, Long tgps,
      Container... containers) {
    return new DeploymentBuilder()
        .withNewMetadata().withNamespace(NS).withName(name)
        .withLabels(labels == null ? null : new LinkedHashMap<>(labels))
        .withAnnotations(annotations == null ? null : new LinkedHashMap<>(annotations))
        .endMetadata()
        .withNewSpec().withReplicas(2)
        .withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
        .withNewTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(tgps).withContainers(containers).endSpec()
        .endTemplate().endSpec().build();
  }

  static Deployment web(Container... containers) {
    return deployment("web", Map.of("tier", "web"), null, null, containers);
  }

  // ---------------------------------------------------------------- policies

  static GracefulPolicySpec spec(long sleep, Long shutdown) {
    GracefulPolicySpec s = new GracefulPolicySpec();
    s.setSelector(selector(Map.of("tier", "web")));
    s.setPreStop(new PreStopSpec(sleep, null));
    s.setShutdownSeconds(shutdown);
    return s;
  }

  static LabelSelector selector(Map<String, String> matchLabels) {
    LabelSelector sel = new LabelSelector();
    sel.setMatchLabels(new LinkedHashMap<>(matchLabels));
    return sel;
  }

  static PolicySnapshot policy(String name, GracefulPolicySpec spec) {
    return new PolicySnapshot(NS, name, "2024-01-01T00:00:00Z", 1, spec);
  }

  static PolicySnapshot policy(String name, String created, GracefulPolicySpec spec) {
    return new PolicySnapshot(NS, name, created, 1, spec);
  }

  static final PlanningContext NATIVE = new PlanningContext(true, 3);
  static final PlanningContext OLD_SERVER = new PlanningContext(false, 3);

  // ---------------------------------------------------------------- applying plans

  /** Applies an RFC 6902 patch to the Deployment as a server would (through its JSON form). */
  static Deployment apply(Deployment d, ArrayNode patch) {
    try {
      JsonNode out = JsonPatch.apply(patch, JSON.valueToTree(d));
      return JSON.treeToValue(out, Deployment.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static Deployment apply(WorkloadPlan plan, Deployment d) {
    return apply(d, plan.patch());
  }

  /** The same for any kind: every kind keeps its pod template at the same path. */
  @SuppressWarnings("unchecked")
  static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T applyAny(WorkloadPlan plan, T workload) {
    try {
      JsonNode out = JsonPatch.apply(plan.patch(), JSON.valueToTree(workload));
      return (T) JSON.treeToValue(out, workload.getClass());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The kind-neutral view of a cached workload of any served kind. */
  static Workload workload(io.fabric8.kubernetes.api.model.HasMetadata r) {
    if (r instanceof Deployment d) {
      return Workload.of(d);
    }
    if (r instanceof io.fabric8.kubernetes.api.model.apps.StatefulSet s) {
      return Workload.of(s);
    }
    if (r instanceof io.fabric8.kubernetes.api.model.apps.DaemonSet s) {
      return Workload.of(s);
    }
    if (r instanceof io.graceful.operator.api.argo.ArgoRollout rollout) {
      return Workload.of(rollout);
    }
    throw new IllegalArgumentException("not a workload: " + r.getKind());
  }

  static Deployment copy(Deployment d) {
    try {
      return JSON.treeToValue(JSON.valueToTree(d), Deployment.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static Deployment withAnnotation(Deployment d, String key, String value) {
    Deployment out = copy(d);
    Map<String, String> a = out.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
        : new LinkedHashMap<>(out.getMetadata().getAnnotations());
    a.put(key, value);
    out.getMetadata().setAnnotations(a);
    return out;
  }

  static Map<String, String> annotations(Deployment d) {
    return d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations();
  }

  static Container containerNamed(Deployment d, String name) {
    return d.getSpec().getTemplate().getSpec().getContainers().stream().filter(c -> c.getName().equals(name))
        .findFirst().orElseThrow();
  }

  static LifecycleHandler preStop(Deployment d, String name) {
    Container c = containerNamed(d, name);
    return c.getLifecycle() == null ? null : c.getLifecycle().getPreStop();
  }

  static Long tgps(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
  }

  static long effectiveTgps(Deployment d) {
    Long t = tgps(d);
    return t == null ? 30 : t;
  }

  /** The Deployment's JSON with empty annotation/label maps dropped, for "exactly equal" comparisons. */
  static ObjectNode normalized(Deployment d) {
    ObjectNode tree = JSON.valueToTree(d);
    ObjectNode meta = (ObjectNode) tree.get("metadata");
    for (String field : List.of("annotations", "labels")) {
      JsonNode m = meta.get(field);
      if (m != null && (m.isNull() || m.isObject() && m.isEmpty())) {
        meta.remove(field);
      }
    }
    return tree;
  }

  /**
   * The Deployment's JSON with every field the operator may own removed: the regular containers' preStop hooks
   * (and a lifecycle object left empty by that, or created by the operator), the template's grace period, and the
   * operator's annotations. Two Deployments that differ only in owned fields have equal projections.
   */
  static ObjectNode withoutOwnedFields(Deployment d) {
    ObjectNode tree = JSON.valueToTree(d);
    ObjectNode podSpec = (ObjectNode) tree.at("/spec/template/spec");
    podSpec.remove("terminationGracePeriodSeconds");
    for (Iterator<JsonNode> it = podSpec.withArray("containers").elements(); it.hasNext(); ) {
      ObjectNode c = (ObjectNode) it.next();
      JsonNode lifecycle = c.get("lifecycle");
      if (lifecycle instanceof ObjectNode l) {
        l.remove("preStop");
        if (l.isEmpty()) {
          c.remove("lifecycle");
        }
      }
    }
    ObjectNode meta = (ObjectNode) tree.get("metadata");
    if (meta.get("annotations") instanceof ObjectNode a) {
      GracefulAnnotations.OWNED.forEach(a::remove);
      if (a.isEmpty()) {
        meta.remove("annotations");
      }
    }
    return tree;
  }

  static List<String> names(List<Container> containers) {
    List<String> out = new ArrayList<>();
    containers.forEach(c -> out.add(c.getName()));
    return out;
  }
}
