package io.graceful.operator.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.graceful.operator.config.OperatorConfig;
import org.slf4j.LoggerFactory;

/** Applies the configured log level and format (text, or one JSON object per line) to logback. */
public final class LoggingSetup {
  private LoggingSetup() {
  }

  public static void apply(OperatorConfig config) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Encoder<ILoggingEvent> encoder;
    if (config.logFormat() == OperatorConfig.LogFormat.JSON) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(context);
      json.start();
      encoder = json;
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setContext(context);
      text.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} %X{deployment}%X{policy} - %msg%n");
      text.start();
      encoder = text;
    }
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
}
