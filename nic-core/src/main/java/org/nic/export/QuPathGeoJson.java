package org.nic.export;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.nic.event.EventJson;
import org.nic.model.HeadRegions;
import org.nic.tiling.GridGeometry;

/**
 * A slide's NIC results as GeoJSON that QuPath (0.4 and later: File > Import objects from file) reads as objects on
 * the slide: one square tile per tissue cell of the plan, in level-0 pixel coordinates (origin at the top left of the
 * full-resolution image, as QuPath's own), with measurements: the cell's row and column and each head's value there.
 * <p>Each feature is a {@code tile} object (QuPath's object for the cells of a regular grid; measurements show in
 * its measurement table and colour maps), with a name-based UUID from the slide, the encoder and the cell, so that an
 * import of the same export twice gives the same ids. The collection carries a {@code nic} member (GeoJSON allows
 * foreign members; QuPath ignores it) that says which slide, encoder and head versions made it.
 */
public final class QuPathGeoJson {

    /** One head's values: its task, version and what a value is, per grid cell. */
    public record Layer(String task, String headVersion, HeadRegions regions) {

        /** The measurement's name in QuPath: the task and what the value is, e.g. {@code growth-pattern P(scattered)}. */
        public String measurement() {
            return task + " " + regions.output();
        }
    }

    private QuPathGeoJson() {
    }

    /**
     * The FeatureCollection of the tissue cells of a plan.
     *
     * @param grid the plan's grid geometry (cell size in level-0 pixels, rows, columns)
     * @param tissueCells the plan's tissue cells ({@code [row, col]})
     * @param layers the heads' values, each the grid's size
     */
    public static byte[] write(String slideId, String encoderId, GridGeometry grid, List<int[]> tissueCells,
                               List<Layer> layers) {
        for (Layer l : layers) {
            if (l.regions().rows() != grid.rows() || l.regions().cols() != grid.cols()) {
                throw new IllegalArgumentException("head " + l.task() + " has values for a " + l.regions().rows() + " x "
                        + l.regions().cols() + " grid, the plan's is " + grid.rows() + " x " + grid.cols());
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + tissueCells.size() * (220 + 40 * layers.size()));
        try (JsonGenerator g = EventJson.mapper().getFactory().createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("type", "FeatureCollection");
            g.writeObjectFieldStart("nic");
            g.writeStringField("slideId", slideId);
            g.writeStringField("encoderId", encoderId);
            g.writeStringField("coordinates", "level-0 pixels, origin top left");
            g.writeNumberField("cellSizeLevel0", grid.cellSizeLevel0());
            g.writeNumberField("rows", grid.rows());
            g.writeNumberField("cols", grid.cols());
            g.writeArrayFieldStart("heads");
            for (Layer l : layers) {
                g.writeStartObject();
                g.writeStringField("task", l.task());
                g.writeStringField("headVersion", l.headVersion());
                g.writeStringField("measurement", l.measurement());
                g.writeNumberField("window", l.regions().window());
                g.writeNumberField("stride", l.regions().stride());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeArrayFieldStart("features");
            for (int[] cell : tissueCells) {
                int r = cell[0];
                int c = cell[1];
                long x0 = grid.cellX(c);
                long x1 = grid.cellX(c + 1);
                long y0 = grid.cellY(r);
                long y1 = grid.cellY(r + 1);
                g.writeStartObject();
                g.writeStringField("type", "Feature");
                g.writeStringField("id", id(slideId, encoderId, r, c).toString());
                g.writeObjectFieldStart("geometry");
                g.writeStringField("type", "Polygon");
                g.writeArrayFieldStart("coordinates");
                g.writeStartArray();
                long[][] ring = {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}};
                for (long[] p : ring) {
                    g.writeStartArray();
                    g.writeNumber(p[0]);
                    g.writeNumber(p[1]);
                    g.writeEndArray();
                }
                g.writeEndArray();
                g.writeEndArray();
                g.writeEndObject();
                g.writeObjectFieldStart("properties");
                g.writeStringField("objectType", "tile");
                g.writeStringField("name", "NIC r" + r + " c" + c);
                g.writeObjectFieldStart("measurements");
                g.writeNumberField("NIC row", r);
                g.writeNumberField("NIC col", c);
                for (Layer l : layers) {
                    float v = l.regions().at(r, c);
                    if (Float.isFinite(v)) {
                        g.writeNumberField(l.measurement(), v);
                    }
                }
                g.writeEndObject();
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A cell's object id: a name-based UUID of the slide, the encoder and the cell. */
    static UUID id(String slideId, String encoderId, int row, int col) {
        return UUID.nameUUIDFromBytes(("nic:" + slideId + ":" + encoderId + ":" + row + ":" + col).getBytes(StandardCharsets.UTF_8));
    }
}
