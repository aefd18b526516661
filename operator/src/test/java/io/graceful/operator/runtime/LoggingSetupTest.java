package io.graceful.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graceful.operator.config.OperatorConfig;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a log pipeline receives with GRACEFUL_LOG_FORMAT=json: one JSON object per line whose message has its
 * arguments filled in, with the MDC (the Deployment or policy being reconciled) and the stack trace as fields. Uses
 * a context of its own: the tests' console logging stays as it is.
 */
class LoggingSetupTest {
  private final LoggerContext context = new LoggerContext();
  private final Logger logger = context.getLogger("io.graceful.operator.controller.DeploymentReconciler");

  private static LoggingEvent event(Logger logger, Level level, String template, Throwable thrown, Object... args) {
    LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, level, template, thrown, args);
    event.setMDCPropertyMap(Map.of("deployment", "shop/web"));
    return event;
  }

  private static String encode(Encoder<ILoggingEvent> encoder, ILoggingEvent event) {
    return new String(encoder.encode(event), StandardCharsets.UTF_8);
  }

  @Test
  void jsonHasTheFormattedMessageTheMdcAndTheStandardFieldsOnOneLine() throws Exception {
    Encoder<ILoggingEvent> json = LoggingSetup.encoder(context, OperatorConfig.LogFormat.JSON);
    String line = encode(json, event(logger, Level.INFO, "write of {} failed with {}: will retry", null, "APPLY", 409));

    assertThat(line).as("one object per line").endsWith("\n").doesNotContain("\n{").hasLineCount(1);
    JsonNode node = new ObjectMapper().readTree(line);
    assertThat(node.path("message").asText()).as("formatted, not the template")
        .isEqualTo("write of APPLY failed with 409: will retry");
    assertThat(node.path("level").asText()).isEqualTo("INFO");
    assertThat(node.path("logger").asText()).isEqualTo("io.graceful.operator.controller.DeploymentReconciler");
    assertThat(node.path("thread").asText()).isEqualTo(Thread.currentThread().getName());
    assertThat(node.path("deployment").asText()).as("MDC as a top-level field").isEqualTo("shop/web");
    assertThat(OffsetDateTime.parse(node.path("timestamp").asText())).as("ISO 8601 with offset").isNotNull();
    assertThat(node.has("stack_trace")).as("no exception, no stack trace").isFalse();
    assertThat(node.has("@version")).isFalse();
    assertThat(node.has("level_value")).isFalse();
  }

  @Test
  void anExceptionIsOneStackTraceFieldInTheSameObject() throws Exception {
    Encoder<ILoggingEvent> json = LoggingSetup.encoder(context, OperatorConfig.LogFormat.JSON);
    String line = encode(json, event(logger, Level.ERROR, "the {} informer stopped", new IllegalStateException(
        "watch closed"), "Deployment"));

    assertThat(line).hasLineCount(1);
    JsonNode node = new ObjectMapper().readTree(line);
    assertThat(node.path("message").asText()).isEqualTo("the Deployment informer stopped");
    assertThat(node.path("stack_trace").asText()).startsWith("java.lang.IllegalStateException: watch closed")
        .contains("\tat io.graceful.operator.runtime.LoggingSetupTest");
  }

  @Test
  void textIsThePatternWithTheMdc() {
    Encoder<ILoggingEvent> text = LoggingSetup.encoder(context, OperatorConfig.LogFormat.TEXT);
    String line = encode(text, event(logger, Level.INFO, "write of {} failed with {}", null, "APPLY", 409));
    assertThat(line).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[.+\\] DeploymentReconciler shop/web - "
        + "write of APPLY failed with 409\\n");
  }

  @Test
  void textIsTheDefaultFormat() {
    assertThat(OperatorConfig.defaults().logFormat()).isEqualTo(OperatorConfig.LogFormat.TEXT);
  }
}
