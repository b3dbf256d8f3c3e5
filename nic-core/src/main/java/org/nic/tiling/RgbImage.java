package org.nic.tiling;

import java.awt.image.BufferedImage;

/**
 * A packed-RGB raster of a whole slide at a low resolution.
 *
 * @param width pixels across
 * @param height pixels down
 * @param pixels row-major {@code 0xRRGGBB}
 * @param downsample level-0 pixels per pixel of this image
 */
public record RgbImage(int width, int height, int[] pixels, double downsample) {

    public RgbImage {
        if (pixels.length != (long) width * height) {
            throw new IllegalArgumentException("pixel buffer does not match " + width + "x" + height);
        }
    }

    public int rgb(int x, int y) {
        return pixels[y * width + x];
    }

    public BufferedImage toBufferedImage() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, pixels, 0, width);
        return image;
    }
}
