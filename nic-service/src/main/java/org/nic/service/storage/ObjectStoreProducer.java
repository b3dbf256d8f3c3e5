package org.nic.service.storage;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;
import org.nic.storage.ObjectStore;
import org.nic.storage.StorageException;

/** The service's one object-store client, closed at shutdown; NIC's bucket is created at start. */
@ApplicationScoped
public class ObjectStoreProducer {

    private static final Logger LOG = Logger.getLogger(ObjectStoreProducer.class);

    @Produces
    @Singleton
    ObjectStore objectStore(StorageConfig s) {
        return new ObjectStore(new ObjectStore.Settings(s.endpoint(), s.accessKey(), s.secretKey(), s.region(), s.bucket(),
                s.caFile().orElse(null)));
    }

    void close(@Disposes ObjectStore store) {
        store.close();
    }

    void onStart(@Observes StartupEvent start, ObjectStore store, StorageConfig config) {
        if (!config.createBucket()) {
            return;
        }
        try {
            store.ensureBucket();
            LOG.infof("object store %s ready", store);
        } catch (StorageException e) {
            // Readiness reports it; slides fail with a retriable reason until the store answers.
            LOG.errorf("object store %s unavailable at start: %s", store, e.getMessage());
        }
    }
}
