package io.graceful.operator.runtime;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.ZonedDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steps down on shutdown: the framework cancels leader election without releasing the Lease, which would leave
 * the other replica waiting a full lease duration. If this process still holds the Lease it hands it back (an
 * update with the Lease's resourceVersion, so a Lease already taken over is left alone).
 */
public final class LeaseRelease {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseRelease.class);

  private LeaseRelease() {
  }

  public static void release(KubernetesClient client, String namespace, String name, String identity) {
    try {
      Lease lease = client.leases().inNamespace(namespace).withName(name).get();
      if (lease == null || lease.getSpec() == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
        return;
      }
      lease.getSpec().setHolderIdentity("");
      lease.getSpec().setLeaseDurationSeconds(1);
      lease.getSpec().setRenewTime(ZonedDateTime.now().minusSeconds(5));
      client.leases().inNamespace(namespace).resource(lease).update();
      LOG.info("released Lease {}/{}", namespace, name);
    } catch (KubernetesClientException e) {
      LOG.warn("could not release Lease {}/{} ({}); the other replica takes over when it expires", namespace, name,
          e.getMessage());
    }
  }
}
