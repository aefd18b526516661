package io.graceful.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.zjsonpatch.JsonPatch;
import io.graceful.operator.api.v1alpha1.GracefulPolicy;
import io.graceful.operator.core.PlanningContext;
import io.graceful.operator.core.PolicySnapshot;
import io.graceful.operator.core.WorkloadPlan;
import io.graceful.operator.core.WorkloadPlanner;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Throughput of the pure planning core, one thread: {@link WorkloadPlanner#plan} over {@value #N} prepared
 * Deployments of the benchmark's mix ({@link Workload}: 100 namespaces x 10), each against the policies of its
 * namespace. The score is Deployments planned per second.
 * <ul>
 * <li>{@code unmanaged}: first contact, the plan computes the hooks, the undo record and the JSON Patch;</li>
 * <li>{@code converged}: the same Deployments after the operator's patches were applied (the steady state: resyncs,
 * restarts, policy status computation), where planning finds nothing to write.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 3)
public class PlannerBenchmark {
  static final int N = 1000;
  private static final PlanningContext CONTEXT = new PlanningContext(true, 3);

  @Param({"unmanaged", "converged"})
  public String state;

  private Deployment[] deployments;
  private List<PolicySnapshot>[] policies;

  @Setup(Level.Trial)
  @SuppressWarnings("unchecked")
  public void prepare() {
    Workload workload = new Workload(N / 10, 10);
    KubernetesSerialization json = new KubernetesSerialization();
    deployments = new Deployment[N];
    policies = new List[N];
    int i = 0;
    for (int n = 0; n < workload.namespaces(); n++) {
      List<PolicySnapshot> inNamespace = new ArrayList<>();
      for (GracefulPolicy p : workload.policies(n)) {
        inNamespace.add(new PolicySnapshot(p.getMetadata().getNamespace(), p.getMetadata().getName(),
            "2025-01-01T00:00:" + String.format("%02d", inNamespace.size()) + "Z", 1, p.getSpec()));
      }
      for (Deployment d : workload.deployments(n)) {
        if (state.equals("converged")) {
          WorkloadPlan plan = WorkloadPlanner.plan(io.graceful.operator.core.Workload.of(d), inNamespace, CONTEXT);
          if (plan.writes()) {
            JsonNode patched = JsonPatch.apply(plan.patch(), json.convertValue(d, JsonNode.class));
            d = json.convertValue(patched, Deployment.class);
            if (WorkloadPlanner.plan(io.graceful.operator.core.Workload.of(d), inNamespace, CONTEXT).writes()) {
              throw new IllegalStateException("planning its own output should change nothing: "
                  + d.getMetadata().getName());
            }
          }
        }
        deployments[i] = d;
        policies[i] = inNamespace;
        i++;
      }
    }
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public void plan(Blackhole bh) {
    for (int i = 0; i < N; i++) {
      bh.consume(WorkloadPlanner.plan(io.graceful.operator.core.Workload.of(deployments[i]), policies[i], CONTEXT));
    }
  }
}
