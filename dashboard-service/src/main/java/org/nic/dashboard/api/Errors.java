package org.nic.dashboard.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.nic.dashboard.overlay.GridOverlays;
import org.nic.storage.StorageException;

/** Errors as JSON with a reason the page shows. */
public class Errors {

    private static final Logger LOG = Logger.getLogger(Errors.class);

    /** What the overlays, the viewer and the export cannot serve ({@link GridOverlays.Refused} among them). */
    @ServerExceptionMapper
    public Response refused(org.nic.export.SlideExport.Unavailable e) {
        return json(e.missing() ? 404 : 422, e.getMessage());
    }

    @ServerExceptionMapper
    public Response storage(StorageException e) {
        LOG.warnf("object store: %s", e.getMessage());
        return json(e.notFound() ? 404 : 503, e.getMessage());
    }

    /** A grid that is not what its encoder wrote: shown as such (the predictor has it encoded again), never as zeros. */
    @ServerExceptionMapper
    public Response corrupt(org.nic.grid.GridCorruptException e) {
        LOG.warnf("slide %s: %s", e.slideId(), e.getMessage());
        return json(409, e.getMessage());
    }

    private static Response json(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
    }
}
