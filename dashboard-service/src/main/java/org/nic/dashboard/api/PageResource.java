package org.nic.dashboard.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Addresses a lab's LIS can link to: {@code /slide/{slideId}} and {@code /models} serve the one page, which
 * reads its view from the path.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class PageResource {

    private static final byte[] PAGE = load();

    @GET
    @Path("/slide/{id}")
    public byte[] slide(@PathParam("id") String id) {
        return PAGE;
    }

    @GET
    @Path("/models")
    public byte[] models() {
        return PAGE;
    }

    private static byte[] load() {
        try (InputStream in = PageResource.class.getResourceAsStream("/META-INF/resources/index.html")) {
            if (in == null) {
                throw new IllegalStateException("index.html is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
