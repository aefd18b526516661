package io.graceful.operator.core;

/** Something a person should know about a Deployment's input, reported as a Warning Event (R13). */
public record Notice(String reason, String message) {
}
