package io.graceful.demo;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The columns {@code kubectl get <crd> -o wide} prints, read from the CRD itself so the demo's policy table cannot
 * drift from what users see. Evaluates the subset of JSONPath the CRD's columns use: dotted field names, each
 * optionally filtered by one equality ({@code conditions[?(@.type=="Ready")]}); anything else is refused so that
 * a new column with a richer path fails the demo's test instead of printing a blank.
 */
final class PrinterColumns {
  private static final Pattern SEGMENT =
      Pattern.compile("\\.([A-Za-z0-9_]+)(?:\\[\\?\\(@\\.([A-Za-z0-9_]+)==\"([^\"]*)\"\\)\\])?");

  private final List<CustomResourceColumnDefinition> columns;

  PrinterColumns(CustomResourceDefinition crd) {
    this.columns = crd.getSpec().getVersions().stream().filter(v -> Boolean.TRUE.equals(v.getStorage()))
        .findFirst().orElseThrow().getAdditionalPrinterColumns();
    columns.forEach(c -> parse(c.getJsonPath()));
  }

  /** NAME, then every column (priority 0 and 1, as with -o wide), upper case like kubectl's headers. */
  List<String> headers() {
    return Stream.concat(Stream.of("NAME"),
        columns.stream().map(c -> c.getName().toUpperCase(Locale.ROOT))).toList();
  }

  /** The cells of one object (as a JSON map), in {@link #headers()} order, "<none>" where the path has no value. */
  List<String> cells(Map<String, Object> object, Instant now) {
    @SuppressWarnings("unchecked")
    Map<String, Object> metadata = (Map<String, Object>) object.get("metadata");
    ArrayList<String> cells = new ArrayList<>();
    cells.add(String.valueOf(metadata.get("name")));
    for (CustomResourceColumnDefinition c : columns) {
      Object value = evaluate(object, c.getJsonPath());
      cells.add(value == null ? "<none>" : "date".equals(c.getType()) ? age(String.valueOf(value), now)
          : String.valueOf(value));
    }
    return cells;
  }

  static Object evaluate(Object root, String jsonPath) {
    Object current = root;
    for (String[] segment : parse(jsonPath)) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(segment[0]);
      if (segment[1] != null) {
        current = current instanceof List<?> list ? list.stream()
            .filter(e -> e instanceof Map<?, ?> m && segment[2].equals(String.valueOf(m.get(segment[1]))))
            .findFirst().orElse(null) : null;
      }
    }
    return current;
  }

  private static List<String[]> parse(String jsonPath) {
    Matcher m = SEGMENT.matcher(jsonPath);
    ArrayList<String[]> segments = new ArrayList<>();
    int end = 0;
    while (m.find() && m.start() == end) {
      segments.add(new String[] {m.group(1), m.group(2), m.group(3)});
      end = m.end();
    }
    if (end != jsonPath.length() || segments.isEmpty()) {
      throw new IllegalArgumentException("printer column JSONPath not supported by the demo: " + jsonPath);
    }
    return segments;
  }

  /** kubectl's short age: 42s, 5m, 3h, 2d. */
  static String age(String timestamp, Instant now) {
    Duration d = Duration.between(Instant.parse(timestamp), now);
    if (d.isNegative() || d.toSeconds() < 120) {
      return Math.max(0, d.toSeconds()) + "s";
    }
    return d.toMinutes() < 120 ? d.toMinutes() + "m" : d.toHours() < 48 ? d.toHours() + "h" : d.toDays() + "d";
  }
}
