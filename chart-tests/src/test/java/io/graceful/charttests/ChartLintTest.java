package io.graceful.charttests;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

class ChartLintTest {

  @Test
  void lintStrictPasses() {
    LintResult result = new Helm(Chart.chartDir()).lint().strict().call();
    assertThat(result.isFailed()).as("helm lint --strict messages: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages()).as("helm lint --strict messages")
        .noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }
}
