package io.graceful.operator.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.graceful.operator.config.OperatorConfig;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides once, at start-up, whether action {@code Auto} means the native sleep action: the API server must be
 * >= 1.30, where {@code preStop.sleep} is on by default. Unknown version: Exec, which works on any server.
 */
public final class NativeSleepDetector {
  private static final Logger LOG = LoggerFactory.getLogger(NativeSleepDetector.class);
  private static final Pattern DIGITS = Pattern.compile("(\\d+)");

  private NativeSleepDetector() {
  }

  public static boolean detect(KubernetesClient client, OperatorConfig.NativeSleepSupport setting) {
    if (setting != OperatorConfig.NativeSleepSupport.AUTO) {
      boolean forced = setting == OperatorConfig.NativeSleepSupport.TRUE;
      LOG.info("native sleep action forced {} by GRACEFUL_NATIVE_SLEEP", forced ? "on" : "off");
      return forced;
    }
    RuntimeException last = null;
    // a passing failure must not pin the whole process to exec hooks (which fail on distroless images)
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        VersionInfo version = client.getKubernetesVersion();
        boolean supported = supports(version.getMajor(), version.getMinor());
        LOG.info("API server {}.{}: action Auto uses {}", version.getMajor(), version.getMinor(),
            supported ? "the native sleep action" : "exec sleep");
        return supported;
      } catch (RuntimeException e) {
        last = e;
        sleep(attempt);
      }
    }
    LOG.warn("could not read the API server version after {} attempts ({}); action Auto uses exec sleep. Set "
        + "GRACEFUL_NATIVE_SLEEP=true to use the native sleep action regardless", ATTEMPTS, last.getMessage());
    return false;
  }

  private static final int ATTEMPTS = 5;

  private static void sleep(int attempt) {
    try {
      Thread.sleep(500L * attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Minor versions can carry a suffix ("30+" on some managed clusters). */
  static boolean supports(String major, String minor) {
    int ma = leadingNumber(major);
    int mi = leadingNumber(minor);
    return ma > 1 || ma == 1 && mi >= 30;
  }

  private static int leadingNumber(String s) {
    if (s == null) {
      return -1;
    }
    Matcher m = DIGITS.matcher(s);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }
}
