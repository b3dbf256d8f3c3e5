package org.nic.dashboard.api;

import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.nic.dashboard.board.ModelBoard;
import org.nic.dashboard.board.SlideBoard;
import org.nic.dashboard.messaging.Updates;
import org.nic.dashboard.overlay.GridOverlays;
import org.nic.dashboard.viewer.SlideTiles;

/**
 * The dashboard's read-only API: slides, dead letters, heads, the live stream and the slide view's pictures. Every
 * call needs a NIC role (the HTTP permission in application.properties); a viewer sees slides without their source
 * URIs and failure details, and neither dead letters nor the models view, which are the operator's.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class DashboardResource {

    static final String OPERATOR = "operator";

    /** Who is asking: the name the provider gives and the NIC roles. */
    public record Me(String name, java.util.Set<String> roles) { }

    /** Largest page the list asks for. */
    static final int MAX_PAGE = 200;

    private final SlideBoard slides;
    private final ModelBoard models;
    private final Updates updates;
    private final GridOverlays overlays;
    private final SlideTiles tiles;

    private final io.quarkus.security.identity.SecurityIdentity identity;

    public DashboardResource(SlideBoard slides, ModelBoard models, Updates updates, GridOverlays overlays, SlideTiles tiles,
                             io.quarkus.security.identity.SecurityIdentity identity) {
        this.tiles = tiles;
        this.identity = identity;
        this.slides = slides;
        this.models = models;
        this.updates = updates;
        this.overlays = overlays;
    }

    /** A page of slides, most recently updated first, filtered by case, task and stage. */
    @GET
    @Path("/slides")
    public SlideBoard.Page slides(@QueryParam("case") String caseFilter, @QueryParam("task") String task,
                                  @QueryParam("stage") String stage, @QueryParam("page") @DefaultValue("0") int page,
                                  @QueryParam("size") @DefaultValue("50") int size) {
        SlideBoard.Stage s = null;
        if (stage != null && !stage.isBlank()) {
            try {
                s = SlideBoard.Stage.valueOf(stage.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new GridOverlays.Refused("unknown stage " + stage, false);
            }
        }
        SlideBoard.Page p = slides.page(caseFilter, task, s, page, Math.max(1, Math.min(MAX_PAGE, size)));
        return operator() ? p : new SlideBoard.Page(p.total(), p.page(), p.size(),
                p.slides().stream().map(SlideBoard.SlideView::forViewer).toList());
    }

    /** The signed-in person: the page shows the operator's parts only to operators. */
    @GET
    @Path("/me")
    public Me me() {
        java.util.Set<String> roles = new java.util.TreeSet<>(identity.getRoles());
        roles.retainAll(java.util.Set.of("viewer", OPERATOR));
        return new Me(identity.getPrincipal().getName(), roles);
    }

    private boolean operator() {
        return identity.hasRole(OPERATOR);
    }

    /** Tasks seen in predictions, for the filter. */
    @GET
    @Path("/tasks")
    public List<String> tasks() {
        return slides.tasks();
    }

    @GET
    @Path("/slides/{id}")
    public SlideBoard.SlideView slide(@PathParam("id") String id) {
        SlideBoard.SlideView view = slides.slide(id)
                .orElseThrow(() -> new NotFoundException("slide " + id + " is not among the recent slides"));
        return operator() ? view : view.forViewer();
    }

    @GET
    @Path("/dead-letters")
    @jakarta.annotation.security.RolesAllowed(OPERATOR)
    public List<SlideBoard.DeadLetters> deadLetters() {
        return slides.deadLetters();
    }

    /** The active heads, for the slide view's head maps: which task, encoder and version, without the registry's files. */
    @GET
    @Path("/heads")
    public List<ModelBoard.Head> heads() {
        return models.heads().stream().map(h -> new ModelBoard.Head(h.task(), h.encoderId(), h.kind(), h.active() == null ? null
                : new ModelBoard.ActiveHead(h.task(), h.kind(), h.encoderId(), h.active().headVersion(), h.active().metric(),
                        h.active().heldOutMetric(), h.active().heldOutLower(), h.active().heldOutUpper(), null, null,
                        h.active().heldOutSlides(), null, null, null, null, h.active().at()), List.of())).toList();
    }

    @GET
    @Path("/models")
    @jakarta.annotation.security.RolesAllowed(OPERATOR)
    public List<ModelBoard.Head> models() {
        return models.heads();
    }

    /** Changes as they happen: slide, deadLetters and models updates (and a ping every 15 s). */
    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<Updates.Update> stream() {
        if (operator()) {
            return updates.stream();
        }
        // A viewer's stream: slides without source URIs and failure details; no dead letters, no models.
        return updates.stream().filter(u -> !u.type().equals("deadLetters") && !u.type().equals("models"))
                .map(u -> u.data() instanceof SlideBoard.SlideView v ? new Updates.Update(u.type(), v.forViewer()) : u);
    }

    @GET
    @Path("/slides/{id}/thumbnail.png")
    @Produces("image/png")
    public Response thumbnail(@PathParam("id") String id) {
        return Response.ok(overlays.thumbnail(id)).header("Cache-Control", "private, max-age=60").build();
    }

    /** The tiler's tissue mask as a translucent layer (the thumbnail's size). */
    @GET
    @Path("/slides/{id}/mask.png")
    @Produces("image/png")
    public Response mask(@PathParam("id") String id) {
        return Response.ok(overlays.mask(id)).header("Cache-Control", "private, max-age=60").build();
    }

    /** The codes' first three principal components as RGB over the thumbnail. */
    @GET
    @Path("/slides/{id}/pca.png")
    @Produces("image/png")
    public Response pca(@PathParam("id") String id, @QueryParam("encoder") String encoder) {
        return picture(overlays.pca(id, encoder(id, encoder)));
    }

    /** An active head's output per region over the thumbnail. */
    @GET
    @Path("/slides/{id}/regions.png")
    @Produces("image/png")
    public Response regions(@PathParam("id") String id, @QueryParam("encoder") String encoder, @QueryParam("task") String task,
                            @QueryParam("class") Integer classIndex) {
        if (task == null || task.isBlank()) {
            throw new GridOverlays.Refused("which task? (?task=)", false);
        }
        return picture(overlays.regions(id, encoder(id, encoder), task, classIndex));
    }

    /**
     * The slide's tissue cells, with each active head's value per region, as GeoJSON objects in level-0 pixel
     * coordinates for QuPath's "Import objects" (docs/dashboard.md). The same file as {@code nic export}.
     */
    @GET
    @Path("/slides/{id}/export.geojson")
    @Produces("application/geo+json")
    public Response export(@PathParam("id") String id, @QueryParam("encoder") String encoder) {
        byte[] geoJson = overlays.export(id, encoder(id, encoder));
        // The id passed the storage layout's check in export (letters, digits, '.', '_', '-'): safe in the header.
        return Response.ok(geoJson).header("Content-Disposition", "attachment; filename=\"" + id + ".geojson\"")
                .header("Cache-Control", "no-store").build();
    }

    /**
     * The slide view's deep zoom: what the page needs to lay NIC's maps over the slide (the grid's cell size, the
     * mask's geometry, the slide's um per pixel), then a Deep Zoom (DZI) pyramid of the slide itself, read only, in the
     * layout OpenSeadragon and any Deep Zoom client expects. Tiles are patient data: behind the login and roles like
     * every other path.
     */
    @GET
    @Path("/slides/{id}/viewer.json")
    public SlideTiles.Viewer viewer(@PathParam("id") String id) {
        return tiles.viewer(id);
    }

    @GET
    @Path("/slides/{id}/slide.dzi")
    @Produces(MediaType.APPLICATION_XML)
    public Response descriptor(@PathParam("id") String id) {
        return Response.ok(tiles.descriptor(id)).header("Cache-Control", "private, max-age=300").build();
    }

    @GET
    @Path("/slides/{id}/slide_files/{level}/{tile}")
    @Produces("image/jpeg")
    public Response tile(@PathParam("id") String id, @PathParam("level") int level, @PathParam("tile") String tile) {
        java.util.regex.Matcher m = TILE.matcher(tile);
        if (!m.matches()) {
            throw new GridOverlays.Refused("a tile is {col}_{row}.jpeg", false);
        }
        byte[] jpeg = tiles.tile(id, level, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        // The slide is fixed for its id (another file under the same id is refused), so a tile never changes.
        return Response.ok(jpeg).header("Cache-Control", "private, max-age=3600").build();
    }

    private static final java.util.regex.Pattern TILE = java.util.regex.Pattern.compile("(\\d{1,6})_(\\d{1,6})\\.jpeg");

    /** The encoder asked for, or the one that made the slide's latest grid. */
    private String encoder(String id, String encoder) {
        if (encoder != null && !encoder.isBlank()) {
            return encoder;
        }
        return slides.slide(id).map(s -> s.encoding() != null ? s.encoding().encoderId() : s.predictionEncoderId())
                .filter(e -> e != null)
                .orElseThrow(() -> new GridOverlays.Refused("slide " + id + " has no grid yet", true));
    }

    private static Response picture(GridOverlays.Picture p) {
        Response.ResponseBuilder r = Response.ok(p.png()).header("Cache-Control", "no-store");
        for (Map.Entry<String, String> e : p.facts().entrySet()) {
            r.header("X-Nic-" + e.getKey(), e.getValue());
        }
        return r.build();
    }
}
