package io.graceful.operator.core;

import static io.graceful.operator.core.CoreFixtures.execOther;
import static io.graceful.operator.core.CoreFixtures.nativeSleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManagedRecordTest {

  private static ManagedRecord sample() {
    Map<String, ManagedRecord.Original> originals = new LinkedHashMap<>();
    originals.put("proxy", new ManagedRecord.Original(execOther("sh", "-c", "sleep 3"), true));
    originals.put("app", new ManagedRecord.Original(null, false));
    Map<String, io.fabric8.kubernetes.api.model.LifecycleHandler> applied = new LinkedHashMap<>();
    applied.put("app", nativeSleep(10));
    applied.put("proxy", nativeSleep(10));
    return new ManagedRecord("web", originals, applied, true, null, 40L, 2);
  }

  @Test
  void roundTrip() throws Exception {
    ManagedRecord r = sample();
    Map<String, String> a = r.toAnnotations();
    assertThat(a.keySet()).containsExactly(GracefulAnnotations.APPLIED_POLICY, GracefulAnnotations.ORIGINAL,
        GracefulAnnotations.APPLIED, GracefulAnnotations.REAPPLIED);
    assertThat(a.get(GracefulAnnotations.ORIGINAL)).isEqualTo("{\"containers\":{\"app\":{\"preStop\":null,"
        + "\"lifecycle\":false},\"proxy\":{\"preStop\":{\"exec\":{\"command\":[\"sh\",\"-c\",\"sleep 3\"]}},"
        + "\"lifecycle\":true}},\"terminationGracePeriodSeconds\":null}");
    assertThat(a.get(GracefulAnnotations.APPLIED)).isEqualTo("{\"containers\":{\"app\":{\"sleep\":{\"seconds\":10}},"
        + "\"proxy\":{\"sleep\":{\"seconds\":10}}},\"terminationGracePeriodSeconds\":40}");
    assertThat(ManagedRecord.read(a)).contains(r);
    assertThat(ManagedRecord.read(a).orElseThrow().toAnnotations()).isEqualTo(a);
  }

  @Test
  void roundTripWithoutGracePeriodOrReapplies() throws Exception {
    ManagedRecord r = new ManagedRecord("web", Map.of("app", new ManagedRecord.Original(null, true)),
        Map.of("app", execOther("sleep", "5")), false, null, null, 0);
    Map<String, String> a = r.toAnnotations();
    assertThat(a).doesNotContainKey(GracefulAnnotations.REAPPLIED);
    assertThat(a.get(GracefulAnnotations.APPLIED)).doesNotContain("terminationGracePeriodSeconds");
    assertThat(ManagedRecord.read(a)).contains(r);
  }

  @Test
  void noAnnotationsNoRecord() throws Exception {
    assertThat(ManagedRecord.read(Map.of())).isEmpty();
    assertThat(ManagedRecord.read(Map.of("graceful.io/policy", "web", "other", "x"))).isEmpty();
  }

  private static Map<String, String> with(String key, String value) {
    Map<String, String> a = new HashMap<>(sample().toAnnotations());
    if (value == null) {
      a.remove(key);
    } else {
      a.put(key, value);
    }
    return a;
  }

  @Test
  void unreadableInputs() {
    for (String missing : List.of(GracefulAnnotations.APPLIED_POLICY, GracefulAnnotations.ORIGINAL,
        GracefulAnnotations.APPLIED)) {
      assertThatThrownBy(() -> ManagedRecord.read(with(missing, null))).as(missing)
          .isInstanceOf(ManagedRecord.UnreadableRecordException.class).hasMessageContaining("incomplete");
    }
    assertThatThrownBy(() -> ManagedRecord.read(with(GracefulAnnotations.ORIGINAL, "{not json")))
        .isInstanceOf(ManagedRecord.UnreadableRecordException.class).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> ManagedRecord.read(with(GracefulAnnotations.APPLIED, "[1,2]")))
        .isInstanceOf(ManagedRecord.UnreadableRecordException.class).hasMessageContaining("not JSON objects");
    assertThatThrownBy(() -> ManagedRecord.read(with(GracefulAnnotations.APPLIED, "")))
        .isInstanceOf(ManagedRecord.UnreadableRecordException.class);
    assertThatThrownBy(() -> ManagedRecord.read(with(GracefulAnnotations.ORIGINAL, "{\"containers\":[]}")))
        .isInstanceOf(ManagedRecord.UnreadableRecordException.class).hasMessageContaining("not an object");
    assertThatThrownBy(() -> ManagedRecord.read(with(GracefulAnnotations.APPLIED,
        "{\"containers\":{\"app\":{\"sleep\":{\"seconds\":10}}},\"terminationGracePeriodSeconds\":40}")))
        .isInstanceOf(ManagedRecord.UnreadableRecordException.class).hasMessageContaining("differ");
    assertThatThrownBy(() -> ManagedRecord.read(with(GracefulAnnotations.APPLIED,
        "{\"containers\":{\"app\":{\"sleep\":\"ten\"},\"proxy\":{}}}")))
        .isInstanceOf(ManagedRecord.UnreadableRecordException.class);
    assertThatThrownBy(() -> ManagedRecord.read(with(GracefulAnnotations.REAPPLIED, "many")))
        .isInstanceOf(ManagedRecord.UnreadableRecordException.class).hasMessageContaining("not a number");
  }

  @Test
  void undoRestoresOnlyFieldsStillHoldingTheOperatorsValues() {
    ManagedRecord r = sample();
    PodTemplateHooks current = new PodTemplateHooks(40L, List.of(
        new ContainerHook(0, "app", nativeSleep(10), true, false),
        new ContainerHook(1, "proxy", execOther("/bin/drain"), true, false),
        new ContainerHook(2, "log", null, false, false)));
    PodTemplateHooks undone = r.undo(current);
    assertThat(undone.terminationGracePeriodSeconds()).isNull();
    assertThat(undone.containers().get(0)).isEqualTo(new ContainerHook(0, "app", null, false, false));
    assertThat(undone.containers().get(1)).as("a person's edit stays").isEqualTo(current.containers().get(1));
    assertThat(undone.containers().get(2)).isEqualTo(current.containers().get(2));
    assertThat(r.fieldsChangedByOthers(current)).containsExactly("proxy");

    PodTemplateHooks graceEdited = current.withGracePeriod(90L);
    assertThat(r.undo(graceEdited).terminationGracePeriodSeconds()).isEqualTo(90L);
    assertThat(r.fieldsChangedByOthers(graceEdited)).containsExactlyInAnyOrder("proxy", ManagedRecord.GRACE_FIELD);
  }
}
