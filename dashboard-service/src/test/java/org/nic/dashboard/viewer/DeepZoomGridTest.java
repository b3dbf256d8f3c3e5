package org.nic.dashboard.viewer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The Deep Zoom pyramid's levels and tiles, on CMU-1-Small-Region's size (2220 x 2967 px). */
class DeepZoomGridTest {

    static final DeepZoomGrid CMU1 = new DeepZoomGrid(2220, 2967, 254, 1);

    @Test
    void levelsHalveFromTheFullSlideDownToOnePixel() {
        // 2^12 = 4096 >= 2967 > 2048: 13 levels, 0-12.
        assertThat(CMU1.maxLevel()).isEqualTo(12);
        assertThat(CMU1.levelWidth(12)).isEqualTo(2220);
        assertThat(CMU1.levelHeight(12)).isEqualTo(2967);
        assertThat(CMU1.levelWidth(11)).isEqualTo(1110);
        assertThat(CMU1.levelHeight(11)).isEqualTo(1484);
        assertThat(CMU1.levelWidth(0)).isEqualTo(1);
        assertThat(CMU1.levelHeight(0)).isEqualTo(1);
        assertThat(CMU1.columns(12)).isEqualTo(9);
        assertThat(CMU1.rows(12)).isEqualTo(12);
        assertThat(new DeepZoomGrid(1, 1, 254, 1).maxLevel()).isZero();
        assertThat(new DeepZoomGrid(256, 100, 254, 1).maxLevel()).isEqualTo(8);
        assertThat(new DeepZoomGrid(257, 100, 254, 1).maxLevel()).isEqualTo(9);
    }

    @Test
    void tilesOverlapTheirNeighboursAndStopAtTheEdge() {
        DeepZoomGrid.Tile first = CMU1.tile(12, 0, 0);
        assertThat(first.x()).isZero();
        assertThat(first.width()).as("254 + the overlap on the right").isEqualTo(255);
        DeepZoomGrid.Tile inner = CMU1.tile(12, 1, 1);
        assertThat(inner.x()).isEqualTo(253);
        assertThat(inner.y()).isEqualTo(253);
        assertThat(inner.width()).isEqualTo(256);
        DeepZoomGrid.Tile last = CMU1.tile(12, 8, 11);
        assertThat(last.x() + last.width()).isEqualTo(2220);
        assertThat(last.y() + last.height()).isEqualTo(2967);
        // A coarser level's tile shows level-0 pixels scale times as many.
        DeepZoomGrid.Tile coarse = CMU1.tile(10, 1, 0);
        assertThat(coarse.scale()).isEqualTo(4.0);
        assertThat(coarse.x0()).isEqualTo(253 * 4.0);
        assertThat(CMU1.descriptor()).contains("TileSize=\"254\"", "Overlap=\"1\"", "Width=\"2220\"", "Height=\"2967\"");
    }

    @Test
    void tilesOutsideThePyramidAreRefused() {
        assertThatThrownBy(() -> CMU1.tile(13, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CMU1.tile(12, 9, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CMU1.tile(0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeepZoomGrid(0, 10, 254, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
