package org.nic.tiling;

import java.awt.image.BufferedImage;

/**
 * Binary tissue mask of a whole slide at a low resolution.
 *
 * @param width pixels across
 * @param height pixels down
 * @param tissue row-major, true where tissue
 * @param downsample level-0 pixels per mask pixel
 * @param saturationThreshold saturation (0-255) above which a pixel counted as tissue before morphology
 */
public record TissueMask(int width, int height, boolean[] tissue, double downsample, int saturationThreshold) {

    public boolean isTissue(int x, int y) {
        return tissue[y * width + x];
    }

    public long tissuePixels() {
        long n = 0;
        for (boolean b : tissue) {
            if (b) {
                n++;
            }
        }
        return n;
    }

    /** White (255) where tissue, black (0) elsewhere. */
    public BufferedImage toImage() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] data = ((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < tissue.length; i++) {
            data[i] = tissue[i] ? (byte) 255 : 0;
        }
        return image;
    }

    /**
     * Fraction of a level-0 rectangle covered by tissue: the share of mask pixels whose centres fall in
     * it. Zero when no mask pixel centre does.
     */
    public double tissueFraction(double x0, double y0, double x1, double y1) {
        int mx0 = (int) Math.max(0, Math.ceil(x0 / downsample - 0.5));
        int my0 = (int) Math.max(0, Math.ceil(y0 / downsample - 0.5));
        int mx1 = (int) Math.min(width, Math.ceil(x1 / downsample - 0.5));
        int my1 = (int) Math.min(height, Math.ceil(y1 / downsample - 0.5));
        long total = 0;
        long hit = 0;
        for (int y = my0; y < my1; y++) {
            for (int x = mx0; x < mx1; x++) {
                total++;
                if (tissue[y * width + x]) {
                    hit++;
                }
            }
        }
        return total == 0 ? 0 : (double) hit / total;
    }
}
