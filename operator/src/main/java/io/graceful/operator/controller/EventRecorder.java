package io.graceful.operator.controller;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits core/v1 Events about Deployments and policies (R11). A decision that is only reported (skip, conflict,
 * audit, bad input) is emitted once per object, reason and message, and that memory is seeded at start-up from the
 * operator's own Events still on the server, so a restart on a converged cluster emits nothing new. Changes the
 * operator writes are always reported: each is a real change.
 */
public final class EventRecorder {
  public static final String COMPONENT = "graceful-operator";
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final int MAX_MESSAGE = 1024;
  private static final int MAX_REMEMBERED = 200_000;

  private final KubernetesClient client;
  private final String instance;
  /** (uid, reason, message) already reported. */
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  public EventRecorder(KubernetesClient client, String instance) {
    this.client = client;
    this.instance = instance;
  }

  /** Reads back the operator's Events in the watched namespaces (one LIST each) to avoid re-reporting. */
  public void seed(Set<String> namespaces) {
    try {
      var events = namespaces.isEmpty()
          ? client.v1().events().inAnyNamespace().withLabel(MANAGED_BY_LABEL, COMPONENT).list().getItems()
          : namespaces.stream().flatMap(ns -> client.v1().events().inNamespace(ns)
              .withLabel(MANAGED_BY_LABEL, COMPONENT).list().getItems().stream()).toList();
      for (Event e : events) {
        if (e.getInvolvedObject() != null && e.getInvolvedObject().getUid() != null) {
          reported.add(key(e.getInvolvedObject().getUid(), e.getReason(), String.valueOf(e.getMessage())));
        }
      }
      LOG.info("read {} earlier operator Events; they will not be repeated", events.size());
    } catch (KubernetesClientException e) {
      LOG.warn("could not read earlier Events ({}); decisions may be reported again", e.getMessage());
    }
  }

  /** Reports a change the operator just wrote. */
  public void changed(HasMetadata object, String type, String reason, String message) {
    reported.add(key(object.getMetadata().getUid(), reason, truncate(message)));
    emit(object, type, reason, message);
  }

  /** Reports a decision; nothing is sent if the same decision was already reported for this object. */
  public void decided(HasMetadata object, String type, String reason, String message) {
    if (reported.size() > MAX_REMEMBERED) {
      // bounded memory on huge clusters; the cost of forgetting is one repeated Event per decision
      reported.clear();
    }
    if (reported.add(key(object.getMetadata().getUid(), reason, truncate(message)))) {
      emit(object, type, reason, message);
    }
  }

  private static String key(String uid, String reason, String message) {
    return uid + "/" + reason + "/" + message;
  }

  private static String truncate(String message) {
    return message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
  }

  private void emit(HasMetadata object, String type, String reason, String message) {
    String text = truncate(message);
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    Event event = new EventBuilder()
        .withNewMetadata()
          .withGenerateName(object.getMetadata().getName() + ".")
          .withNamespace(object.getMetadata().getNamespace())
          .addToLabels(MANAGED_BY_LABEL, COMPONENT)
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(object.getApiVersion())
            .withKind(object.getKind())
            .withName(object.getMetadata().getName())
            .withNamespace(object.getMetadata().getNamespace())
            .withUid(object.getMetadata().getUid())
            .withResourceVersion(object.getMetadata().getResourceVersion())
            .build())
        .withType(type)
        .withReason(reason)
        .withMessage(text)
        .withCount(1)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent("graceful.io/" + COMPONENT)
        .withReportingInstance(instance)
        .build();
    try {
      client.v1().events().inNamespace(object.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      // an Event that cannot be written must never fail the reconciliation that decided it
      LOG.warn("could not write Event {} for {}/{}: {}", reason, object.getMetadata().getNamespace(),
          object.getMetadata().getName(), e.getMessage());
    }
  }
}
