package io.graceful.operator.core;

import static io.graceful.operator.core.CoreFixtures.execOther;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.graceful.operator.api.v1alpha1.HookAction;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SleepHooksTest {

  private static OptionalLong sleep(LifecycleHandler h) {
    return SleepHooks.recognisedSleep(h);
  }

  @Test
  void theOperatorsHooks() {
    assertThat(SleepHooks.of(HookAction.Sleep, 7).getSleep().getSeconds()).isEqualTo(7L);
    assertThat(SleepHooks.of(HookAction.Sleep, 7).getExec()).isNull();
    assertThat(SleepHooks.of(HookAction.Exec, 7).getExec().getCommand()).containsExactly("sleep", "7");
    assertThat(SleepHooks.of(HookAction.Exec, 7).getSleep()).isNull();
    assertThat(sleep(SleepHooks.of(HookAction.Sleep, 9))).hasValue(9);
    assertThat(sleep(SleepHooks.of(HookAction.Exec, 9))).hasValue(9);
  }

  @Test
  void recognisesSleeps() {
    assertThat(sleep(CoreFixtures.nativeSleep(5))).hasValue(5);
    assertThat(sleep(execOther("sleep", "5"))).hasValue(5);
    assertThat(sleep(execOther("/bin/sleep", "5"))).hasValue(5);
    assertThat(sleep(execOther("/usr/bin/sleep", "5"))).hasValue(5);
    assertThat(sleep(execOther("sh", "-c", "sleep 5"))).hasValue(5);
    assertThat(sleep(execOther("/bin/sh", "-c", "  sleep 5 "))).hasValue(5);
    assertThat(sleep(execOther("bash", "-c", "exec sleep 5;"))).hasValue(5);
    assertThat(sleep(execOther("sleep", "5s"))).hasValue(5);
  }

  @Test
  void scriptsThatDrainThenSleepCountTheirUnconditionalSleeps() {
    assertThat(sleep(execOther("sh", "-c", "curl -s localhost:8080/drain; sleep 15"))).hasValue(15);
    assertThat(sleep(execOther("sh", "-c", "nginx -s quit; sleep 3"))).hasValue(3);
    assertThat(sleep(execOther("sh", "-c", "sleep 3 && kill 1"))).hasValue(3);
    assertThat(sleep(execOther("/bin/sh", "-c", "sleep 2\n/app/drain\nsleep 5"))).hasValue(7);
    assertThat(sleep(execOther("sh", "-c", "test -f /ready || sleep 5"))).as("conditional").isEmpty();
    assertThat(sleep(execOther("sh", "-c", "sleep 5 & wait-for-drain"))).as("in the background").isEmpty();
    assertThat(sleep(execOther("sh", "-c", "/app/drain | sleep 5"))).as("a pipe's later stage").isEmpty();
  }

  @Test
  void fractionsRoundUp() {
    assertThat(sleep(execOther("sh", "-c", "sleep 2.5"))).hasValue(3);
    assertThat(sleep(execOther("sleep", "0.1"))).hasValue(1);
    assertThat(sleep(execOther("sleep", "4.0"))).hasValue(4);
  }

  @Test
  void nonSleepsAreNotRecognised() {
    assertThat(sleep(null)).isEmpty();
    assertThat(sleep(CoreFixtures.httpGet("/drain"))).isEmpty();
    assertThat(sleep(new LifecycleHandlerBuilder().withNewTcpSocket().withNewPort(80).endTcpSocket().build()))
        .isEmpty();
    assertThat(sleep(execOther("/bin/graceful-stop"))).isEmpty();
    assertThat(sleep(execOther("sleep"))).isEmpty();
    assertThat(sleep(execOther("sleep", "infinity"))).isEmpty();
    assertThat(sleep(execOther("sleep", "5", "6"))).isEmpty();
    assertThat(sleep(execOther("sh", "sleep 5"))).isEmpty();
    assertThat(sleep(execOther("python", "-c", "sleep 5"))).isEmpty();
    assertThat(sleep(execOther("sleep", "100000"))).as("absurd lengths are not trusted").isEmpty();
    assertThat(sleep(new LifecycleHandlerBuilder().withNewExec().endExec().build())).isEmpty();
    assertThat(sleep(new LifecycleHandlerBuilder().withNewSleep().endSleep().build())).isEmpty();
  }

  @Test
  void describesHooks() {
    assertThat(SleepHooks.describe(null)).isEqualTo("none");
    assertThat(SleepHooks.describe(CoreFixtures.nativeSleep(5))).isEqualTo("sleep 5s");
    assertThat(SleepHooks.describe(execOther("sh", "-c", "sleep 5"))).isEqualTo("exec sh -c sleep 5");
    assertThat(SleepHooks.describe(CoreFixtures.httpGet("/drain"))).isEqualTo("httpGet /drain");
  }
}
