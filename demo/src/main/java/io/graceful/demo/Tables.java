package io.graceful.demo;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/** Plain, aligned text tables in the spirit of {@code kubectl get}. */
final class Tables {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  static final String APPLIED_POLICY = "graceful.io/applied-policy";
  static final String ENABLED = "graceful.io/enabled";
  static final int DEFAULT_TGPS = 30;

  private Tables() {
  }

  // ------------------------------------------------------------------------------------------------ Workloads

  /**
   * One row per (workload, container), Deployments, StatefulSets and DaemonSets alike. {@code before} (may be null)
   * is the state before the operator ran: a hook found there unchanged is the team's own ("foreign"), and a changed
   * grace period shows its old value. {@code policies} (may be null) adds the POLICY and STATE columns.
   */
  static void workloads(PrintStream out, List<HasMetadata> workloads, List<HasMetadata> before,
      List<GenericKubernetesResource> policies) {
    boolean after = policies != null;
    Map<String, HasMetadata> previous = new LinkedHashMap<>();
    if (before != null) {
      before.forEach(w -> previous.put(key(w), w));
    }
    Map<String, Map<String, String>> statusEntries = after ? statusEntriesByWorkload(policies) : Map.of();
    TextTable table = after
        ? new TextTable("NAMESPACE", "WORKLOAD", "CONTAINER", "PRESTOP", "TGPS", "POLICY", "STATE")
        : new TextTable("NAMESPACE", "WORKLOAD", "CONTAINER", "PRESTOP", "TGPS");
    for (HasMetadata w : sorted(workloads)) {
      HasMetadata old = before == null ? null : previous.get(key(w));
      boolean first = true;
      for (Row c : containers(w)) {
        Row was = old == null ? null : containers(old).stream().filter(o -> o.label.equals(c.label)).findFirst()
            .orElse(null);
        boolean foreign = before == null || (was != null && Objects.equals(was.hook, c.hook));
        List<String> cells = new ArrayList<>(List.of(
            first ? w.getMetadata().getNamespace() : "",
            first ? w.getKind().toLowerCase() + "/" + w.getMetadata().getName() : "",
            c.label,
            hook(c.hook, foreign),
            first ? tgps(w, old) : ""));
        if (after) {
          cells.add(first ? annotation(w, APPLIED_POLICY, "-") : "");
          cells.add(first ? state(w, statusEntries.get(key(w))) : "");
        }
        table.add(cells);
        first = false;
      }
    }
    table.print(out);
  }

  /** {@code Kind namespace/name}: a StatefulSet and a Deployment of the same name are different workloads. */
  static String key(HasMetadata w) {
    return key(w.getKind(), w.getMetadata().getNamespace(), w.getMetadata().getName());
  }

  static String key(String kind, String namespace, String name) {
    return kind + " " + namespace + "/" + name;
  }

  /** By kind (Deployments first, then StatefulSets, then DaemonSets), namespace and name. */
  static List<HasMetadata> sorted(List<? extends HasMetadata> workloads) {
    return workloads.stream()
        .sorted(Comparator.comparing((HasMetadata w) -> KINDS.indexOf(w.getKind()))
            .thenComparing(w -> w.getMetadata().getNamespace())
            .thenComparing(w -> w.getMetadata().getName()))
        .map(HasMetadata.class::cast)
        .toList();
  }

  /** The kinds the demo shows, in display order. */
  static final List<String> KINDS = List.of("Deployment", "StatefulSet", "DaemonSet");

  /** The pod template, which every governed kind keeps at spec.template. */
  static PodTemplateSpec template(HasMetadata w) {
    if (w instanceof Deployment d) {
      return d.getSpec().getTemplate();
    } else if (w instanceof StatefulSet s) {
      return s.getSpec().getTemplate();
    } else if (w instanceof DaemonSet d) {
      return d.getSpec().getTemplate();
    }
    throw new IllegalArgumentException("not a workload the demo shows: " + w.getKind());
  }

  /** A container of the pod template with its display label and preStop handler. */
  record Row(String label, LifecycleHandler hook) {
  }

  /** Regular containers, then init containers and native sidecars (which the operator must never touch). */
  static List<Row> containers(HasMetadata w) {
    List<Row> rows = new ArrayList<>();
    var spec = template(w).getSpec();
    for (Container c : spec.getContainers()) {
      rows.add(new Row(c.getName(), preStop(c)));
    }
    for (Container c : spec.getInitContainers()) {
      boolean sidecar = "Always".equals(c.getRestartPolicy());
      rows.add(new Row(c.getName() + (sidecar ? " (sidecar)" : " (init)"), preStop(c)));
    }
    return rows;
  }

  static LifecycleHandler preStop(Container c) {
    return c.getLifecycle() == null ? null : c.getLifecycle().getPreStop();
  }

  /** "sleep 10s (native)", "exec sleep 10", "exec /bin/drain.sh (foreign)", "httpGet :8080/shutdown (foreign)", "-". */
  static String hook(LifecycleHandler h, boolean foreign) {
    if (h == null) {
      return "-";
    }
    String text;
    if (h.getSleep() != null) {
      return "sleep " + h.getSleep().getSeconds() + "s (native" + (foreign ? ", foreign)" : ")");
    } else if (h.getExec() != null) {
      text = "exec " + h.getExec().getCommand().stream().map(Tables::quote).collect(Collectors.joining(" "));
    } else if (h.getHttpGet() != null) {
      var get = h.getHttpGet();
      String port = get.getPort() == null ? "" : get.getPort().getIntVal() != null
          ? String.valueOf(get.getPort().getIntVal()) : get.getPort().getStrVal();
      text = "httpGet :" + port + Objects.requireNonNullElse(get.getPath(), "/");
    } else if (h.getTcpSocket() != null) {
      var port = h.getTcpSocket().getPort();
      text = "tcpSocket :" + (port == null ? "" : port.getIntVal() != null ? port.getIntVal() : port.getStrVal());
    } else {
      text = "(empty handler)";
    }
    return foreign ? text + " (foreign)" : text;
  }

  private static String quote(String arg) {
    return arg.isEmpty() || arg.contains(" ") ? "\"" + arg + "\"" : arg;
  }

  /** The template's terminationGracePeriodSeconds; with the previous value when it changed. */
  static String tgps(HasMetadata w, HasMetadata before) {
    Long now = template(w).getSpec().getTerminationGracePeriodSeconds();
    String text = now == null ? DEFAULT_TGPS + " (default)" : String.valueOf(now);
    if (before != null) {
      Long was = template(before).getSpec().getTerminationGracePeriodSeconds();
      if (!Objects.equals(was, now)) {
        text += " (was " + (was == null ? DEFAULT_TGPS : was) + ")";
      }
    }
    return text;
  }

  static String annotation(HasMetadata w, String name, String fallback) {
    Map<String, String> annotations = w.getMetadata().getAnnotations();
    return annotations == null ? fallback : annotations.getOrDefault(name, fallback);
  }

  /**
   * The policies' view of one workload: "Applied" (or the applied policy's own non-Applied entry, e.g.
   * "Skipped/ExistingHook"), then other policies' entries ("web: Conflict/GovernedByOtherPolicy"); when no policy
   * governs it, "opted out" or "not selected".
   */
  static String state(HasMetadata w, Map<String, String> entriesByPolicy) {
    Map<String, String> entries = entriesByPolicy == null ? Map.of() : entriesByPolicy;
    String applied = annotation(w, APPLIED_POLICY, null);
    List<String> parts = new ArrayList<>();
    if (applied != null) {
      parts.add(entries.getOrDefault(applied, "Applied"));
    }
    entries.forEach((policy, entry) -> {
      if (!policy.equals(applied)) {
        parts.add(policy + ": " + entry);
      }
    });
    if (parts.isEmpty()) {
      parts.add("false".equalsIgnoreCase(annotation(w, ENABLED, "")) ? "opted out" : "not selected");
    }
    return String.join("; ", parts);
  }

  /**
   * {@link #key} -> (policy -> "State/Reason") from every policy's status.deployments (the list keeps its first name
   * but covers every kind, and each entry names its kind).
   */
  private static Map<String, Map<String, String>> statusEntriesByWorkload(List<GenericKubernetesResource> policies) {
    Map<String, Map<String, String>> byWorkload = new LinkedHashMap<>();
    for (GenericKubernetesResource p : policies) {
      for (Map<String, Object> entry : statusDeployments(p)) {
        String text = entry.get("state") + (entry.get("reason") == null ? "" : "/" + entry.get("reason"));
        // a cluster policy's entries name their namespace; a namespaced policy's are in its own
        String namespace = entry.get("namespace") != null ? text(entry.get("namespace")) : p.getMetadata().getNamespace();
        byWorkload.computeIfAbsent(key(kind(entry), namespace, String.valueOf(entry.get("name"))),
            k -> new LinkedHashMap<>()).put((p.getMetadata().getNamespace() == null ? "cluster/" : "")
                + p.getMetadata().getName(), text);
      }
    }
    return byWorkload;
  }

  static String kind(Map<String, Object> statusEntry) {
    return String.valueOf(statusEntry.get("kind"));
  }

  // ------------------------------------------------------------------------------------------------- Policies

  /**
   * Like {@code kubectl get gp -A -o wide} (the columns come from the CRD), then every entry of status.deployments
   * (the workloads of every kind NOT plainly applied).
   */
  static void policies(PrintStream out, PrinterColumns columns, List<GenericKubernetesResource> policies) {
    List<String> headers = new ArrayList<>(List.of("NAMESPACE"));
    headers.addAll(columns.headers());
    TextTable table = new TextTable(headers.toArray(String[]::new));
    TextTable details = new TextTable("NAMESPACE", "POLICY", "WORKLOAD", "STATE", "REASON", "MESSAGE");
    Instant now = Instant.now();
    for (GenericKubernetesResource p : sortedPolicies(policies)) {
      // a ClusterGracefulPolicy has no namespace; its list entries name theirs
      List<String> row = new ArrayList<>(List.of(namespaceOf(p)));
      row.addAll(columns.cells(JSON.convertValue(p, Map.class), now));
      table.add(row);
      for (Map<String, Object> entry : statusDeployments(p)) {
        details.add(entry.get("namespace") != null ? text(entry.get("namespace")) : namespaceOf(p),
            (p.getMetadata().getNamespace() == null ? "cluster/" : "") + p.getMetadata().getName(),
            kind(entry).toLowerCase() + "/" + text(entry.get("name")),
            text(entry.get("state")), text(entry.get("reason")), text(entry.get("message")));
      }
    }
    table.print(out);
    if (!details.isEmpty()) {
      out.println();
      out.println("Workloads not plainly Applied (status.deployments, every kind):");
      details.print(out);
    }
  }

  static List<GenericKubernetesResource> sortedPolicies(List<GenericKubernetesResource> policies) {
    return policies.stream()
        .sorted(Comparator.comparing((GenericKubernetesResource p) -> namespaceOf(p))
            .thenComparing(p -> p.getMetadata().getName()))
        .toList();
  }

  /** The policy's namespace; empty for a ClusterGracefulPolicy. */
  static String namespaceOf(GenericKubernetesResource p) {
    return p.getMetadata().getNamespace() == null ? "" : p.getMetadata().getNamespace();
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> statusDeployments(GenericKubernetesResource p) {
    Object list = p.get("status", "deployments");
    return list instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
  }

  /** The condition of that type, or null. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> condition(GenericKubernetesResource p, String type) {
    Object conditions = p.get("status", "conditions");
    if (conditions instanceof List<?> list) {
      for (Object c : list) {
        if (c instanceof Map<?, ?> m && type.equals(m.get("type"))) {
          return (Map<String, Object>) m;
        }
      }
    }
    return null;
  }

  private static String text(Object value) {
    return value == null ? "-" : String.valueOf(value);
  }

  // --------------------------------------------------------------------------------------------------- Events

  static void events(PrintStream out, List<Event> events) {
    TextTable table = new TextTable("NAMESPACE", "OBJECT", "TYPE", "REASON", "MESSAGE");
    events.stream()
        .sorted(Comparator.comparing(Tables::eventTime))
        .forEach(e -> table.add(e.getMetadata().getNamespace(),
            e.getInvolvedObject().getKind().toLowerCase() + "/" + e.getInvolvedObject().getName(),
            text(e.getType()), text(e.getReason()), text(e.getMessage())));
    table.print(out);
  }

  private static String eventTime(Event e) {
    if (e.getEventTime() != null && e.getEventTime().getTime() != null) {
      return e.getEventTime().getTime();
    }
    for (String time : new String[] {e.getFirstTimestamp(), e.getLastTimestamp(),
        e.getMetadata().getCreationTimestamp()}) {
      if (time != null) {
        return time;
      }
    }
    return "";
  }

  // ------------------------------------------------------------------------------------------------ TextTable

  /** Columns padded to their widest cell, two spaces apart. */
  static final class TextTable {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    TextTable(String... headers) {
      this.headers = List.of(headers);
    }

    void add(String... cells) {
      add(List.of(cells));
    }

    void add(List<String> cells) {
      rows.add(cells);
    }

    boolean isEmpty() {
      return rows.isEmpty();
    }

    void print(PrintStream out) {
      int[] widths = new int[headers.size()];
      for (List<String> row : concat()) {
        for (int i = 0; i < row.size(); i++) {
          widths[i] = Math.max(widths[i], row.get(i).length());
        }
      }
      for (List<String> row : concat()) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < row.size(); i++) {
          line.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + widths[i] + "s  ", row.get(i)));
        }
        out.println(line.toString().stripTrailing());
      }
    }

    private List<List<String>> concat() {
      List<List<String>> all = new ArrayList<>();
      all.add(headers);
      all.addAll(rows);
      return all;
    }
  }
}
