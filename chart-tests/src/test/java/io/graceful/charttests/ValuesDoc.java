package io.graceful.charttests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The values table of the chart README, generated from values.yaml in the helm-docs style: a value is documented by
 * a comment starting with {@code # --} right above its key (continued by the comment lines that follow); the row is
 * {@code Key | Type | Default | Description}, the default being the value in values.yaml. A documented map is one
 * row (its children are its default); an undocumented map is a path to documented children. A leaf without a
 * {@code # --} comment is an error: every value people can set is in the table.
 */
final class ValuesDoc {

  static final String BEGIN = "<!-- values table: generated from values.yaml by chart-tests (ValuesDocTest); "
      + "edit the # -- comments there -->";
  static final String END = "<!-- end of generated values table -->";

  private static final Pattern KEY = Pattern.compile("^( *)([A-Za-z0-9_.-]+):(.*)$");
  private static final Pattern COMMENT = Pattern.compile("^( *)#(.*)$");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  record Row(String key, String type, String defaultValue, String description) {}

  private ValuesDoc() {}

  /** The rows of values.yaml, in file order; throws when a value has no {@code # --} comment. */
  static List<Row> rows(String valuesYaml) {
    JsonNode values;
    try {
      values = YAML.readTree(valuesYaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Row> rows = new ArrayList<>();
    List<String> undocumented = new ArrayList<>();
    Deque<int[]> indents = new ArrayDeque<>();
    Deque<String> path = new ArrayDeque<>();
    StringBuilder pending = null;
    int documentedIndent = -1; // inside a documented map: its children are not rows
    for (String line : valuesYaml.split("\n", -1)) {
      if (line.isBlank()) {
        pending = null;
        continue;
      }
      Matcher c = COMMENT.matcher(line);
      if (c.matches()) {
        String text = c.group(2).strip();
        if (text.startsWith("--")) {
          pending = new StringBuilder(text.substring(2).strip());
        } else if (pending != null) {
          pending.append(' ').append(text);
        }
        continue;
      }
      Matcher k = KEY.matcher(line);
      if (!k.matches()) {
        continue; // a list item or a continuation of a value
      }
      int indent = k.group(1).length();
      while (!indents.isEmpty() && indents.peek()[0] >= indent) {
        indents.pop();
        path.removeLast();
      }
      if (documentedIndent >= 0 && indent > documentedIndent) {
        pending = null;
        continue;
      }
      documentedIndent = -1;
      indents.push(new int[] {indent});
      path.addLast(k.group(2));
      String key = String.join(".", path);
      JsonNode node = at(values, path);
      if (pending != null) {
        rows.add(new Row(key, type(node), defaultOf(node), pending.toString()));
        if (node.isContainerNode()) {
          documentedIndent = indent;
        }
      } else if (!node.isObject() || node.isEmpty()) {
        undocumented.add(key);
      }
      pending = null;
    }
    if (!undocumented.isEmpty()) {
      throw new IllegalStateException("values.yaml: no '# --' comment above " + undocumented
          + "; every value is documented in the README table");
    }
    return rows;
  }

  static String table(String valuesYaml) {
    StringBuilder out = new StringBuilder(BEGIN).append("\n\n| Key | Type | Default | Description |\n")
        .append("| --- | --- | --- | --- |\n");
    for (Row r : rows(valuesYaml)) {
      out.append("| `").append(r.key()).append("` | ").append(r.type()).append(" | ")
          .append(code(r.defaultValue())).append(" | ").append(cell(r.description())).append(" |\n");
    }
    return out.append('\n').append(END).toString();
  }

  /** The README with its generated table replaced by a fresh one; fails when the markers are missing. */
  static String readmeWithTable(String readme, String valuesYaml) {
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalStateException("the chart README has no generated values table between the lines\n"
          + BEGIN + "\n" + END);
    }
    return readme.substring(0, begin) + table(valuesYaml) + readme.substring(end + END.length());
  }

  private static JsonNode at(JsonNode root, Iterable<String> path) {
    JsonNode n = root;
    for (String p : path) {
      n = n.path(p);
    }
    return n;
  }

  private static String type(JsonNode n) {
    if (n.isObject()) {
      return "object";
    } else if (n.isArray()) {
      return "list";
    } else if (n.isBoolean()) {
      return "bool";
    } else if (n.isIntegralNumber()) {
      return "int";
    } else if (n.isNumber()) {
      return "float";
    } else if (n.isNull() || n.isMissingNode()) {
      return "null";
    }
    return "string";
  }

  private static String defaultOf(JsonNode n) {
    try {
      return JSON.writeValueAsString(n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String code(String s) {
    String escaped = s.replace("|", "\\|");
    return escaped.contains("`") ? "`` " + escaped + " ``" : "`" + escaped + "`";
  }

  /** A table cell: pipes escaped; outside `code` spans, < and > too (Markdown would take <release> for HTML). */
  private static String cell(String s) {
    String[] parts = s.replace("|", "\\|").split("`", -1);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        out.append('`');
      }
      out.append(i % 2 == 0 ? parts[i].replace("<", "&lt;").replace(">", "&gt;") : parts[i]);
    }
    return out.toString();
  }
}
