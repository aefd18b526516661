package io.graceful.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The API server's audit log, which records every request of the graceful-system service accounts (the identity
 * the tests run the operator with; see the audit policy in e2e/control-plane.sh): what the operator really sent,
 * and what real RBAC answered.
 */
final class AuditLog {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;

  /** One audited request: the same {@code VERB RESOURCE[.GROUP][/SUB]} form as the mock tests' request log. */
  record Request(String user, String verb, String resource, String namespace, String name, int code) {
    String rbacForm() {
      return verb + " " + resource;
    }
  }

  AuditLog(Path file) {
    this.file = file;
  }

  /** Position to read from later: requests after this mark belong to what happens next. */
  int mark() {
    return lines().size();
  }

  List<Request> since(int mark) {
    List<String> lines = lines();
    // impersonated requests (kubectl auth can-i --as, made by the tests) are audited too: keep only the operator's own
    return lines.subList(Math.min(mark, lines.size()), lines.size()).stream().map(AuditLog::parse)
        .filter(r -> r.user().startsWith("system:serviceaccount:graceful-system:")).toList();
  }

  /** Counts by {@code VERB RESOURCE -> CODE}, the summary the closing note and the README quote. */
  static Map<String, Long> summary(List<Request> requests) {
    return requests.stream().collect(Collectors.groupingBy(r -> r.rbacForm() + " " + r.code(), TreeMap::new,
        Collectors.counting()));
  }

  private List<String> lines() {
    try {
      return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList() : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Request parse(String line) {
    try {
      JsonNode e = JSON.readTree(line);
      JsonNode ref = e.path("objectRef");
      String resource = ref.path("resource").asText("");
      String group = ref.path("apiGroup").asText("");
      String sub = ref.path("subresource").asText("");
      String verb = e.path("verb").asText();
      String form = resource.isEmpty() ? e.path("requestURI").asText()
          : resource + (group.isEmpty() ? "" : "." + group) + (sub.isEmpty() ? "" : "/" + sub);
      return new Request(e.path("user").path("username").asText(), verb, form, ref.path("namespace").asText(""),
          ref.path("name").asText(""), e.path("responseStatus").path("code").asInt(0));
    } catch (IOException ex) {
      throw new UncheckedIOException("unreadable audit line: " + line, ex);
    }
  }
}
