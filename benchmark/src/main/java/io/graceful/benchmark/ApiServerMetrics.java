package io.graceful.benchmark;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * kube-apiserver's own count of the requests it served: {@code apiserver_request_total} from {@code /metrics},
 * summed by verb, resource[/subresource] and code. It counts every client, so a difference of two snapshots is the
 * operator's alone only for requests nobody else sent in that window; the benchmark uses it as the server-side check
 * of the operator's writes (the driver never PATCHes Deployments, posts Events or patches policy status, and no
 * controller manager runs). A snapshot also carries the server's process CPU and resident memory.
 */
record ApiServerMetrics(Map<String, Long> requests, double cpuSeconds, long residentBytes) {
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  static ApiServerMetrics scrape(KubernetesClient client) {
    String text = client.raw("/metrics");
    Map<String, Long> requests = new TreeMap<>();
    double cpu = -1;
    long rss = -1;
    for (String line : text.split("\n")) {
      if (line.startsWith("apiserver_request_total{")) {
        int close = line.lastIndexOf('}');
        Map<String, String> labels = new TreeMap<>();
        Matcher m = LABEL.matcher(line.substring(0, close));
        while (m.find()) {
          labels.put(m.group(1), m.group(2));
        }
        String resource = labels.getOrDefault("resource", "");
        String sub = labels.getOrDefault("subresource", "");
        String key = labels.get("verb") + " " + resource + (sub.isEmpty() ? "" : "/" + sub) + " "
            + labels.get("code");
        requests.merge(key, (long) Double.parseDouble(line.substring(close + 1).trim()), Long::sum);
      } else if (line.startsWith("process_cpu_seconds_total ")) {
        cpu = Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
      } else if (line.startsWith("process_resident_memory_bytes ")) {
        rss = (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
      }
    }
    return new ApiServerMetrics(requests, cpu, rss);
  }

  /** Requests served between {@code earlier} and this snapshot, by "VERB resource code" (zero rows left out). */
  Map<String, Long> since(ApiServerMetrics earlier) {
    Map<String, Long> out = new TreeMap<>();
    requests.forEach((k, v) -> {
      long d = v - earlier.requests.getOrDefault(k, 0L);
      if (d != 0) {
        out.put(k, d);
      }
    });
    return out;
  }

  /** Sum of {@link #since} over the keys starting with "VERB resource " (every response code). */
  static long count(Map<String, Long> delta, String verb, String resource) {
    String prefix = verb + " " + resource + " ";
    return delta.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToLong(Map.Entry::getValue).sum();
  }
}
