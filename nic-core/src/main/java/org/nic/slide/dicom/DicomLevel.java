package org.nic.slide.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.ByteFrameSource;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.OtherByteAttributeOnDisk;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.OtherWordAttributeOnDisk;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import com.pixelmed.dicom.TagFromName;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.nic.slide.SlideException;

/**
 * One pyramid level: a VOLUME instance's tiled pixel matrix. The instance's pixel data is opened on first use
 * (PixelMed keeps large encapsulated pixel data on disk and reads one frame at a time); frames are decoded one at
 * a time, on demand. TILED_FULL frames are in row-major tile order; TILED_SPARSE frames say where they sit in
 * their per-frame functional groups, and a tile no frame covers is background.
 */
final class DicomLevel {

    private final DicomInstance instance;
    private volatile Attribute pixelData;
    /** Frame index (0-based) per tile (row-major), -1 where no frame covers it; null until the pixel data is open. */
    private volatile int[] frameOfTile;

    DicomLevel(DicomInstance instance) {
        this.instance = instance;
    }

    DicomInstance instance() {
        return instance;
    }

    long width() {
        return instance.totalColumns();
    }

    long height() {
        return instance.totalRows();
    }

    /** The frame covering tile ({@code tileX}, {@code tileY}), -1 when none (background). */
    int frameAt(int tileX, int tileY) {
        open();
        if (tileX < 0 || tileY < 0 || tileX >= instance.tilesAcross() || tileY >= instance.tilesDown()) {
            return -1;
        }
        return frameOfTile[tileY * instance.tilesAcross() + tileX];
    }

    /** Decodes one frame into packed RGB ({@code tileColumns x tileRows}). */
    int[] decode(int frame) {
        open();
        int w = instance.tileColumns();
        int h = instance.tileRows();
        try {
            if (DicomInstance.NATIVE.contains(instance.transferSyntaxUid())) {
                return nativeFrame(frame, w, h);
            }
            byte[] bytes = ((ByteFrameSource) pixelData).getByteValuesForSelectedFrame(frame);
            BufferedImage image = decodeCompressed(bytes);
            if (image == null) {
                throw new SlideException(SlideException.Kind.READ_FAILED, instance.file(), "frame " + (frame + 1)
                        + " could not be decoded (" + instance.transferSyntaxUid() + ")");
            }
            return packed(image, w, h);
        } catch (DicomException | IOException | RuntimeException e) {
            if (e instanceof SlideException s) {
                throw s;
            }
            throw new SlideException(SlideException.Kind.READ_FAILED, instance.file(), "frame " + (frame + 1) + ": "
                    + e.getClass().getSimpleName());
        }
    }

    /**
     * A decoded frame as packed RGB, {@code w x h} (a frame smaller than its tile is padded white): straight from
     * an interleaved 8-bit raster (what the JPEG and JPEG 2000 readers give), else through the colour model.
     */
    static int[] packed(BufferedImage image, int w, int h) {
        int[] rgb = new int[w * h];
        Arrays.fill(rgb, 0xFFFFFF);
        int cw = Math.min(w, image.getWidth());
        int ch = Math.min(h, image.getHeight());
        java.awt.image.Raster raster = image.getRaster();
        if (raster.getDataBuffer() instanceof java.awt.image.DataBufferByte bytes
                && raster.getSampleModel() instanceof java.awt.image.PixelInterleavedSampleModel model
                && raster.getNumBands() == 3 && image.getColorModel().getColorSpace().isCS_sRGB()
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0) {
            byte[] data = bytes.getData();
            int[] offsets = model.getBandOffsets();
            int stride = model.getScanlineStride();
            int step = model.getPixelStride();
            for (int y = 0; y < ch; y++) {
                int row = y * stride;
                for (int x = 0; x < cw; x++) {
                    int p = row + x * step;
                    rgb[y * w + x] = (data[p + offsets[0]] & 0xFF) << 16 | (data[p + offsets[1]] & 0xFF) << 8
                            | (data[p + offsets[2]] & 0xFF);
                }
            }
            return rgb;
        }
        image.getRGB(0, 0, cw, ch, rgb, 0, w);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] &= 0xFFFFFF;
        }
        return rgb;
    }

    /**
     * A JPEG or JPEG 2000 frame through ImageIO (the JDK's JPEG reader; jai-imageio's JPEG 2000 reader). The colour
     * transform is the one the code stream itself signals: older converters wrote YCbCr JPEG data under an RGB
     * PhotometricInterpretation, and the stream's components say what they are.
     */
    private static BufferedImage decodeCompressed(byte[] bytes) throws IOException {
        // In memory: ImageIO.createImageInputStream would cache each frame's stream in a temporary file.
        try (ImageInputStream in = new javax.imageio.stream.MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            var readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        }
    }

    private int[] nativeFrame(int frame, int w, int h) throws DicomException {
        int frameBytes = w * h * 3;
        byte[] b;
        if (pixelData instanceof OtherByteAttributeOnDisk disk) {
            b = disk.getByteValuesForSelectedFrame(frame, instance.frames());
        } else if (pixelData instanceof OtherWordAttributeOnDisk disk) {
            b = littleEndian(disk.getShortValuesForSelectedFrame(frame, instance.frames()));
        } else {
            byte[] all = pixelData instanceof OtherWordAttribute ow ? ow.getByteValues(false) : pixelData.getByteValues();
            if ((long) (frame + 1) * frameBytes > all.length) {
                throw new SlideException(SlideException.Kind.READ_FAILED, instance.file(), "pixel data ends before frame "
                        + (frame + 1));
            }
            b = Arrays.copyOfRange(all, frame * frameBytes, (frame + 1) * frameBytes);
        }
        if (b.length < frameBytes) {
            throw new SlideException(SlideException.Kind.READ_FAILED, instance.file(), "frame " + (frame + 1) + " is short");
        }
        boolean planar = instance.planarConfiguration() == 1;
        boolean ybr = "YBR_FULL".equals(instance.photometric());
        int plane = w * h;
        int[] rgb = new int[plane];
        for (int i = 0; i < plane; i++) {
            int a = b[planar ? i : 3 * i] & 0xFF;
            int c1 = b[planar ? plane + i : 3 * i + 1] & 0xFF;
            int c2 = b[planar ? 2 * plane + i : 3 * i + 2] & 0xFF;
            rgb[i] = ybr ? ybrToRgb(a, c1, c2) : (a << 16) | (c1 << 8) | c2;
        }
        return rgb;
    }

    /** YBR_FULL (ITU-R BT.601, full range) to RGB. */
    static int ybrToRgb(int y, int cb, int cr) {
        int r = clamp(Math.round(y + 1.402f * (cr - 128)));
        int g = clamp(Math.round(y - 0.344136f * (cb - 128) - 0.714136f * (cr - 128)));
        int b = clamp(Math.round(y + 1.772f * (cb - 128)));
        return (r << 16) | (g << 8) | b;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static byte[] littleEndian(short[] s) {
        byte[] b = new byte[s.length * 2];
        for (int i = 0; i < s.length; i++) {
            b[2 * i] = (byte) s[i];
            b[2 * i + 1] = (byte) (s[i] >> 8);
        }
        return b;
    }

    /** Reads the instance with its pixel data (left encapsulated) and indexes its frames by tile. */
    private void open() {
        if (frameOfTile != null) {
            return;
        }
        synchronized (this) {
            if (frameOfTile != null) {
                return;
            }
            AttributeList list = new AttributeList();
            list.setDecompressPixelData(false);
            try {
                list.read(instance.asFile());
            } catch (IOException | DicomException | RuntimeException e) {
                throw new SlideException(SlideException.Kind.READ_FAILED, instance.file(), "cannot read its pixel data: "
                        + e.getClass().getSimpleName());
            }
            Attribute data = list.getPixelData();
            if (data == null) {
                throw new SlideException(SlideException.Kind.READ_FAILED, instance.file(), "no pixel data");
            }
            if (!DicomInstance.NATIVE.contains(instance.transferSyntaxUid()) && !(data instanceof ByteFrameSource)) {
                throw new SlideException(SlideException.Kind.READ_FAILED, instance.file(), "encapsulated pixel data without"
                        + " frames");
            }
            int across = instance.tilesAcross();
            int[] index = new int[across * instance.tilesDown()];
            Arrays.fill(index, -1);
            if (instance.sparse()) {
                Attribute perFrame = list.get(TagFromName.PerFrameFunctionalGroupsSequence);
                if (!(perFrame instanceof SequenceAttribute frames)) {
                    throw new SlideException(SlideException.Kind.READ_FAILED, instance.file(), "TILED_SPARSE without per-frame"
                            + " positions");
                }
                for (int f = 0; f < Math.min(frames.getNumberOfItems(), instance.frames()); f++) {
                    SequenceItem item = frames.getItem(f);
                    Attribute pos = item.getAttributeList().get(TagFromName.PlanePositionSlideSequence);
                    if (!(pos instanceof SequenceAttribute p) || p.getNumberOfItems() == 0) {
                        continue;
                    }
                    AttributeList at = p.getItem(0).getAttributeList();
                    long column = Attribute.getSingleLongValueOrDefault(at, TagFromName.ColumnPositionInTotalImagePixelMatrix, 0);
                    long row = Attribute.getSingleLongValueOrDefault(at, TagFromName.RowPositionInTotalImagePixelMatrix, 0);
                    if (column < 1 || row < 1) {
                        continue;
                    }
                    int tx = (int) ((column - 1) / instance.tileColumns());
                    int ty = (int) ((row - 1) / instance.tileRows());
                    if (tx < across && ty < instance.tilesDown()) {
                        index[ty * across + tx] = f;
                    }
                }
            } else {
                for (int t = 0; t < Math.min(index.length, instance.frames()); t++) {
                    index[t] = t;
                }
            }
            pixelData = data;
            frameOfTile = index;
        }
    }
}
