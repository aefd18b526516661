package io.graceful.operator.core;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The major.minor of a Kubernetes component, which is all that decides what it supports. Parsed leniently from what
 * servers report: {@code v1.29.4}, {@code v1.31.0-eks-abc}, {@code v1.30.2+k3s1}, {@code v1.28.3-gke.1286000},
 * {@code 1.30}; the API server's {@code /version} gives major and minor apart, the minor sometimes with a suffix
 * ({@code 30+} on managed clusters).
 */
public record KubeVersion(int major, int minor) implements Comparable<KubeVersion> {
  /** The first version whose kubelet runs {@code lifecycle.preStop.sleep} by default (beta, on by default). */
  public static final KubeVersion NATIVE_SLEEP = new KubeVersion(1, 30);

  private static final Pattern VERSION = Pattern.compile("^\\s*[vV]?(\\d{1,9})\\.(\\d{1,9})(?![\\d])");
  private static final Pattern LEADING = Pattern.compile("^\\s*[vV]?(\\d{1,9})");

  /** A kubelet or git version string; empty when it holds no {@code major.minor} at its start. */
  public static Optional<KubeVersion> parse(String version) {
    if (version == null) {
      return Optional.empty();
    }
    Matcher m = VERSION.matcher(version);
    return m.find() ? Optional.of(new KubeVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))))
        : Optional.empty();
  }

  /** The API server's {@code /version} fields ({@code "1"}, {@code "31"} or {@code "31+"}). */
  public static Optional<KubeVersion> of(String major, String minor) {
    Optional<Integer> ma = leading(major);
    Optional<Integer> mi = leading(minor);
    return ma.isPresent() && mi.isPresent() ? Optional.of(new KubeVersion(ma.get(), mi.get())) : Optional.empty();
  }

  private static Optional<Integer> leading(String s) {
    if (s == null) {
      return Optional.empty();
    }
    Matcher m = LEADING.matcher(s);
    return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
  }

  /** Whether this kubelet runs (or this API server accepts) the native sleep action. */
  public boolean runsNativeSleep() {
    return compareTo(NATIVE_SLEEP) >= 0;
  }

  @Override
  public int compareTo(KubeVersion o) {
    return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
  }

  @Override
  public String toString() {
    return "v" + major + "." + minor;
  }
}
