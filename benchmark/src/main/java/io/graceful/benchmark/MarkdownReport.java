package io.graceful.benchmark;

import java.util.List;
import java.util.Locale;

/** The Markdown report a benchmark prints and writes: headings, paragraphs and tables, in order. */
final class MarkdownReport {
  private final StringBuilder text = new StringBuilder();

  void h(String title) {
    text.append("## ").append(title).append("\n\n");
  }

  void h2(String title) {
    text.append("### ").append(title).append("\n\n");
  }

  /** A paragraph, {@link String#format} with the root locale (dots for decimals, whatever the machine). */
  void p(String format, Object... args) {
    text.append(String.format(Locale.ROOT, format, args)).append("\n\n");
  }

  void table(List<String> header, List<List<String>> rows) {
    text.append("| ").append(String.join(" | ", header)).append(" |\n|");
    header.forEach(x -> text.append("---|"));
    text.append('\n');
    for (List<String> row : rows) {
      text.append("| ").append(String.join(" | ", row)).append(" |\n");
    }
    text.append('\n');
  }

  @Override
  public String toString() {
    return text.toString();
  }
}
