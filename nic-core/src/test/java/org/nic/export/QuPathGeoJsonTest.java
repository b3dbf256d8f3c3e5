package org.nic.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.nic.event.EventJson;
import org.nic.model.HeadRegions;
import org.nic.slide.SpacingSource;
import org.nic.tiling.GridGeometry;

/** The QuPath export's GeoJSON: where each tissue cell lies in level-0 pixels, and what each head says there. */
class QuPathGeoJsonTest {

    /** CMU-1's geometry: 0.499 um/px read at 0.5 um/px, so a cell is 128.2565 level-0 px (not a whole number). */
    static final double CELL = 128.2565;
    static final GridGeometry GRID = new GridGeometry(0.499, SpacingSource.OPENSLIDE, false, false, 0.5, 128, CELL, 3, 4, 0,
            1, 128, true, 0.5);

    @Test
    void eachTissueCellIsATileWhoseCornersAreItsLevelZeroPixels() throws Exception {
        List<int[]> tissue = List.of(new int[] {0, 1}, new int[] {1, 2}, new int[] {2, 3});
        float[] values = new float[12];
        Arrays.fill(values, Float.NaN);
        values[1] = 0.25f;
        values[4 + 2] = 0.75f;
        // Cell (2, 3) has no value (a head's NaN): it gets no measurement, not a zero.
        HeadRegions regions = new HeadRegions(3, 4, values, "P(scattered)", 8, 1, 2);
        byte[] out = QuPathGeoJson.write("slide-1", "mtl-nic-v2", GRID, tissue,
                List.of(new QuPathGeoJson.Layer("growth-pattern", "v3", regions)));
        JsonNode root = EventJson.mapper().readTree(out);
        assertThat(root.get("type").asText()).isEqualTo("FeatureCollection");
        assertThat(root.at("/nic/heads/0/headVersion").asText()).isEqualTo("v3");
        assertThat(root.at("/nic/encoderId").asText()).isEqualTo("mtl-nic-v2");
        JsonNode features = root.get("features");
        assertThat(features).hasSize(3);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            JsonNode f = features.get(i);
            int r = tissue.get(i)[0];
            int c = tissue.get(i)[1];
            assertThat(f.at("/properties/objectType").asText()).isEqualTo("tile");
            assertThat(f.at("/properties/measurements/NIC row").asInt()).isEqualTo(r);
            assertThat(f.at("/properties/measurements/NIC col").asInt()).isEqualTo(c);
            JsonNode ring = f.at("/geometry/coordinates/0");
            assertThat(f.at("/geometry/type").asText()).isEqualTo("Polygon");
            assertThat(ring).hasSize(5);
            long x0 = (long) Math.floor(c * CELL);
            long x1 = (long) Math.floor((c + 1) * CELL);
            long y0 = (long) Math.floor(r * CELL);
            long y1 = (long) Math.floor((r + 1) * CELL);
            long[][] expected = {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}};
            for (int k = 0; k < 5; k++) {
                assertThat(ring.get(k).get(0).asLong()).as("cell (%d, %d) corner %d x", r, c, k).isEqualTo(expected[k][0]);
                assertThat(ring.get(k).get(1).asLong()).as("cell (%d, %d) corner %d y", r, c, k).isEqualTo(expected[k][1]);
            }
            ids.add(UUID.fromString(f.get("id").asText()).toString());
        }
        assertThat(ids).as("one id per cell").hasSize(3);
        assertThat(features.get(0).at("/properties/measurements/growth-pattern P(scattered)").asDouble()).isCloseTo(0.25,
                within(1e-6));
        assertThat(features.get(1).at("/properties/measurements/growth-pattern P(scattered)").asDouble()).isCloseTo(0.75,
                within(1e-6));
        assertThat(features.get(2).at("/properties/measurements").has("growth-pattern P(scattered)")).isFalse();
        // Neighbouring tiles abut: (0, 1)'s right edge is column 2's left edge, 256 px from the origin, not 257.
        assertThat(features.get(0).at("/geometry/coordinates/0/1/0").asLong()).isEqualTo(256);
        // The same export again is byte for byte the same (ids from names, not random).
        assertThat(QuPathGeoJson.write("slide-1", "mtl-nic-v2", GRID, tissue,
                List.of(new QuPathGeoJson.Layer("growth-pattern", "v3", regions)))).isEqualTo(out);
    }

    @Test
    void aHeadOfAnotherGridsShapeIsRefused() {
        HeadRegions wrong = new HeadRegions(4, 4, new float[16], "value", 8, 1, 16);
        assertThatThrownBy(() -> QuPathGeoJson.write("s", "e", GRID, List.of(new int[] {0, 0}),
                List.of(new QuPathGeoJson.Layer("t", "v1", wrong)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4 x 4").hasMessageContaining("3 x 4");
    }

    @Test
    void idsDependOnSlideEncoderAndCell() {
        UUID a = QuPathGeoJson.id("s", "e", 1, 2);
        assertThat(QuPathGeoJson.id("s", "e", 1, 2)).isEqualTo(a);
        assertThat(Set.of(a, QuPathGeoJson.id("s", "e", 2, 1), QuPathGeoJson.id("s2", "e", 1, 2),
                QuPathGeoJson.id("s", "e2", 1, 2))).hasSize(4);
    }
}
