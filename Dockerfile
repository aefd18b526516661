# syntax=docker/dockerfile:1
#
# Graceful Operator image: the shaded jar on a JRE, non-root, read-only-root friendly.
#
#   mvn -B -pl operator -am package -DskipTests        # builds operator/target/graceful-operator.jar
#   docker build -t ghcr.io/graceful-io/graceful-operator:0.1.0 .
#
# Base: Eclipse Temurin 17 JRE (Ubuntu). It has /bin/sleep, so the chart's exec preStop fallback for
# clusters older than 1.30 works; on 1.30+ the chart uses the kubelet's native sleep action anyway.
# Pin the base by digest in your release pipeline (FROM eclipse-temurin:17-jre@sha256:...).
# The image is not built in this repository's CI (no container engine there).
FROM eclipse-temurin:17-jre

LABEL org.opencontainers.image.title="graceful-operator" \
      org.opencontainers.image.description="Keeps Deployments' preStop sleep hooks and termination grace periods consistent, by policy."

# No shell needed at run time; the jar is the only thing added. Owned by root, read-only for the runtime user.
COPY --chmod=0444 operator/target/graceful-operator.jar /app/graceful-operator.jar

# The JVM writes only to /tmp (the chart mounts an emptyDir there and sets a read-only root filesystem).
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -Djava.io.tmpdir=/tmp"

# 65532 = the conventional "nonroot" UID/GID (distroless); numeric so runAsNonRoot can verify it.
USER 65532:65532

EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/graceful-operator.jar"]
