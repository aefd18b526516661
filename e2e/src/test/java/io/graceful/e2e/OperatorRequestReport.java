package io.graceful.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * After the end-to-end run: every request the operator sent to the real API server as the chart's identity, by
 * verb, resource and response code, from the audit log, written to e2e/target/operator-requests.txt and printed.
 */
public final class OperatorRequestReport implements LauncherSessionListener {
  @Override
  public void launcherSessionClosed(LauncherSession session) {
    Path root = Path.of(System.getProperty("graceful.e2e.root", "..")).toAbsolutePath().normalize();
    Path state = Path.of(System.getProperty("graceful.e2e.state", root.resolve("e2e/target/control-plane").toString()));
    Path log = state.resolve("logs/audit.log");
    if (!Files.exists(log)) {
      return;
    }
    List<AuditLog.Request> all = new AuditLog(log).since(0);
    Map<String, Long> summary = AuditLog.summary(all);
    String report = "Requests of the operator (system:serviceaccounts:graceful-system) during the e2e run: "
        + all.size() + "\n" + summary.entrySet().stream().map(e -> String.format("%8d  %s", e.getValue(), e.getKey()))
            .collect(Collectors.joining("\n")) + "\n";
    try {
      Files.writeString(root.resolve("e2e/target/operator-requests.txt"), report);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.println(report);
  }
}
