package org.nic.encoder.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Lets tests interrupt a slide mid-way, as a crash would, through the service's package-private seam. */
@ApplicationScoped
public class EncodingServiceTestSeam {

    @Inject
    EncodingService service;

    public void failAfterChunks(int chunks) {
        service.failAfterChunks(chunks);
    }

    public void pauseAtProgress(long everyMillis, long onceMillis) {
        service.pauseAtProgress(everyMillis, onceMillis);
    }

    public String defaultEncoderId() {
        return service.defaultEncoderId();
    }
}
