package io.graceful.operator.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.graceful.operator.config.OperatorConfig;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.fieldnames.LogstashFieldNames;
import org.slf4j.LoggerFactory;

/**
 * Applies the configured log level and format to logback: text (the default, for a person at a terminal) or one
 * JSON object per line (for a log pipeline).
 *
 * <p>JSON is logstash-logback-encoder's {@link LogstashEncoder} rather than logback's own {@code JsonEncoder}:
 * logback's writes the message template and its arguments apart (a formatted message only as an extra), nests the
 * MDC under {@code mdc}, the time as epoch milliseconds and the stack trace as nested objects, plus sequence and
 * context fields nobody queries. Loki, Elasticsearch and Cloud Logging want flat fields. Each line here has:
 * {@code timestamp} (ISO 8601 with offset), {@code level}, {@code logger}, {@code thread}, {@code message} (formatted,
 * arguments filled in), the MDC ({@code deployment}, {@code statefulset} or {@code daemonset}: namespace/name while
 * such a workload is reconciled, {@code policy}: namespace/name while a policy is) as top-level fields, and {@code stack_trace} (one string) when
 * an exception is logged.
 */
public final class LoggingSetup {
  /** The text layout: time, level, thread, logger, the MDC (the workload or the policy) and the message. */
  static final String TEXT_PATTERN =
      "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} %X{deployment}%X{statefulset}%X{daemonset}%X{policy} - %msg%n";

  private LoggingSetup() {
  }

  public static void apply(OperatorConfig config) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Encoder<ILoggingEvent> encoder = encoder(context, config.logFormat());
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setEncoder(encoder);
    console.start();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    root.addAppender(console);
    root.setLevel(Level.WARN);
    context.getLogger("io.graceful").setLevel(Level.toLevel(config.logLevel()));
    context.getLogger("io.javaoperatorsdk").setLevel(Level.toLevel(config.logLevel()).isGreaterOrEqual(Level.INFO)
        ? Level.WARN : Level.toLevel(config.logLevel()));
  }

  /** The started encoder of {@code format}. */
  static Encoder<ILoggingEvent> encoder(LoggerContext context, OperatorConfig.LogFormat format) {
    if (format == OperatorConfig.LogFormat.JSON) {
      LogstashEncoder json = new LogstashEncoder();
      json.setContext(context);
      LogstashFieldNames names = json.getFieldNames();
      names.setTimestamp("timestamp");
      names.setLogger("logger");
      names.setThread("thread");
      names.setVersion("[ignore]");
      names.setLevelValue("[ignore]");
      json.start();
      return json;
    }
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(context);
    text.setPattern(TEXT_PATTERN);
    text.start();
    return text;
  }
}
