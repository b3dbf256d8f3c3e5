package org.nic.slide.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nic.slide.SlideException;
import org.nic.slide.SlideMetadata;
import org.nic.slide.SlideReader;
import org.nic.slide.SlideReaders;
import org.nic.slide.SpacingSource;
import org.nic.slide.TestSlides;

/**
 * Real DICOM whole-slide images (../shared/data/dicom) through PixelMed: the pyramid of CMU-1-Small-Region against
 * OpenSlide's read of the SVS of the same slide, every transfer syntax decoded here, and each kind of input refused
 * with its own reason.
 */
class DicomSlideReaderTest {

    static Path dicom(String name) {
        return TestSlides.data().resolve("dicom").resolve(name);
    }

    @Test
    void theCmuPyramidIsTheSvsSlide() {
        try (SlideReader dcm = SlideReaders.installed().open(dicom("cmu-1-small-region"));
             SlideReader svs = SlideReaders.installed().open(TestSlides.cmu1())) {
            assertThat(dcm.vendor()).isEqualTo("dicom");
            assertThat(dcm.levelCount()).isEqualTo(12);
            assertThat(dcm.levelDimensions(0)).isEqualTo(svs.levelDimensions(0));
            assertThat(dcm.levelDownsample(1)).isCloseTo(2.0, org.assertj.core.data.Offset.offset(0.01));
            SlideMetadata meta = SlideMetadata.of(dcm);
            assertThat(meta.mppSource()).isEqualTo(SpacingSource.DICOM_PIXEL_SPACING);
            assertThat(meta.mpp()).isCloseTo(SlideMetadata.of(svs).mpp(), org.assertj.core.data.Offset.offset(0.002));
            // A region across four frames (500 px tiles) at level 0, and one at level 2: the same pixels within JPEG's loss.
            assertThat(meanAbsoluteDifference(dcm, svs, 400, 700, 0, 300, 300)).isLessThan(6);
            assertThat(meanAbsoluteDifference(dcm, svs, 0, 0, 0, 2220, 40)).isLessThan(6);
            // Level 2 (downsample 4.002) against the SVS's level 0 averaged over 4 x 4 pixels (the SVS has one level):
            // level-2 pixel (199, 299) is where level-0 pixel (800, 1200) falls; the converter's resampling filter
            // is not a box, so the texture differs (17.5 grey levels here; one level-2 pixel off gives 25 to 35).
            int[] small = new int[200 * 200];
            dcm.readRegion(800, 1200, 2, 200, 200, small);
            int[] full = new int[800 * 800];
            svs.readRegion(796, 1196, 0, 800, 800, full);
            double sum = 0;
            for (int y = 0; y < 200; y++) {
                for (int x = 0; x < 200; x++) {
                    for (int shift = 0; shift <= 16; shift += 8) {
                        double mean = 0;
                        for (int dy = 0; dy < 4; dy++) {
                            for (int dx = 0; dx < 4; dx++) {
                                mean += ((full[(4 * y + dy) * 800 + 4 * x + dx] >> shift) & 0xFF) / 16.0;
                            }
                        }
                        sum += Math.abs(mean - ((small[y * 200 + x] >> shift) & 0xFF));
                    }
                }
            }
            assertThat(sum / (3 * 200 * 200)).isLessThan(22);
        }
    }

    @Test
    void aSingleInstanceIsAOneLevelSlideAndRegionsBeyondItAreWhite() {
        try (SlideReader dcm = SlideReaders.installed().open(dicom("cmu-1-small-region/level-0-frames-0-30.dcm"))) {
            assertThat(dcm.levelCount()).isEqualTo(1);
            int[] out = new int[100 * 100];
            dcm.readRegion(2170, 2917, 0, 100, 100, out);
            assertThat(out[99 * 100 + 99]).as("outside the pixel matrix").isEqualTo(0xFFFFFF);
            assertThat(Arrays.stream(out).anyMatch(p -> p != 0xFFFFFF)).as("inside it").isTrue();
        }
    }

    @Test
    void jpeg2000JpegYbrAndUncompressedFramesAreDecoded() {
        for (String name : new String[] {"camelyon/jpeg2000-lossless.dcm", "camelyon/jpeg-baseline.dcm",
                "camelyon/uncompressed-rgb.dcm", "highdicom/sm_image.dcm", "openslide-boxes"}) {
            try (SlideReader dcm = SlideReaders.installed().open(dicom(name))) {
                SlideReader.LevelDimensions d = dcm.levelDimensions(0);
                int w = (int) Math.min(d.width(), 512);
                int h = (int) Math.min(d.height(), 512);
                int[] out = new int[w * h];
                dcm.readRegion(0, 0, 0, w, h, out);
                long distinct = Arrays.stream(out).distinct().count();
                assertThat(distinct).as("%s: an image, not a fill", name).isGreaterThan(2);
            }
        }
    }

    @Test
    void uncompressedFramesMatchPixelMedsOwnDecode() throws Exception {
        // Tile placement and colour against a decode independent of this reader's: PixelMed's SourceImage.
        Path file = dicom("highdicom/sm_image.dcm");
        try (SlideReader dcm = SlideReaders.installed().open(file)) {
            com.pixelmed.display.SourceImage reference = new com.pixelmed.display.SourceImage(file.toString());
            // highdicom's image is 5 x 5 frames of 10 x 10 px; PixelMed's SourceImage gives frame by frame.
            for (int frame : new int[] {0, 7, 24}) {
                java.awt.image.BufferedImage f = reference.getBufferedImage(frame);
                int[] out = new int[100];
                dcm.readRegion((frame % 5) * 10L, (frame / 5) * 10L, 0, 10, 10, out);
                for (int i = 0; i < 100; i++) {
                    assertThat(out[i]).as("frame %d pixel %d", frame, i).isEqualTo(f.getRGB(i % 10, i / 10) & 0xFFFFFF);
                }
            }
        }
    }

    @Test
    void eachBadInputHasItsOwnReason(@TempDir Path dir) throws Exception {
        assertKind(dicom("highdicom/sm_image_grayscale.dcm"), SlideException.Kind.UNSUPPORTED_PIXEL_FORMAT);
        assertKind(dicom("highdicom/sm_image_jpegls.dcm"), SlideException.Kind.UNSUPPORTED_TRANSFER_SYNTAX);
        Path thumbOnly = Files.createDirectories(dir.resolve("thumbnail-only"));
        Files.copy(dicom("openslide-boxes/boxes_1.dcm"), thumbOnly.resolve("boxes_1.dcm"));
        assertKind(thumbOnly, SlideException.Kind.NO_VOLUME_IMAGE);
        Path mixed = Files.createDirectories(dir.resolve("two-series"));
        Files.copy(dicom("cmu-1-small-region/level-5-frames-0-1.dcm"), mixed.resolve("a.dcm"));
        Files.copy(dicom("camelyon/jpeg-baseline.dcm"), mixed.resolve("b.dcm"));
        assertKind(mixed, SlideException.Kind.INCONSISTENT_SERIES);
        Path ct = dir.resolve("ct.dcm");
        writeCt(ct);
        assertKind(ct, SlideException.Kind.NOT_A_SLIDE);
        // Cut short inside the pixel data: the header opens, the missing frames are a read failure, never zeros.
        Path cut = dir.resolve("cut.dcm");
        byte[] whole = Files.readAllBytes(dicom("cmu-1-small-region/level-0-frames-0-30.dcm"));
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> {
            try (SlideReader r = SlideReaders.installed().open(cut)) {
                r.readRegion(0, 0, 0, 2220, 2967, new int[2220 * 2967]);
            }
        }).isInstanceOfSatisfying(SlideException.class, e -> assertThat(e.kind()).isIn(SlideException.Kind.OPEN_FAILED,
                SlideException.Kind.READ_FAILED));
        // Not DICOM at all: no reader claims it as DICOM.
        assertThat(new DicomSlideReaderProvider().supportScore(TestSlides.cmu1())).isZero();
    }

    @Test
    void decodedRastersArePackedAsTheColourModelSaysAndPaddedWhite() {
        java.util.Random r = new java.util.Random(4);
        for (int type : new int[] {java.awt.image.BufferedImage.TYPE_3BYTE_BGR, java.awt.image.BufferedImage.TYPE_INT_RGB}) {
            java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(7, 5, type);
            for (int y = 0; y < 5; y++) {
                for (int x = 0; x < 7; x++) {
                    image.setRGB(x, y, r.nextInt(1 << 24));
                }
            }
            int[] packed = DicomLevel.packed(image, 8, 6);
            for (int y = 0; y < 6; y++) {
                for (int x = 0; x < 8; x++) {
                    int expected = x < 7 && y < 5 ? image.getRGB(x, y) & 0xFFFFFF : 0xFFFFFF;
                    assertThat(packed[y * 8 + x]).as("type %d at %d,%d", type, x, y).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void aFrameWantedByTwoThreadsIsDecodedOnce() throws Exception {
        DicomSlideReader.FrameCache cache = new DicomSlideReader.FrameCache(1 << 20);
        java.util.concurrent.atomic.AtomicInteger decodes = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        Thread first = new Thread(() -> cache.get(0, 3, () -> {
            decodes.incrementAndGet();
            started.countDown();
            sleep(300);
            return new int[] {42};
        }));
        first.start();
        started.await();
        int[] second = cache.get(0, 3, () -> {
            decodes.incrementAndGet();
            return new int[] {7};
        });
        first.join();
        assertThat(second).containsExactly(42);
        assertThat(decodes.get()).isEqualTo(1);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void theFrameCacheIsBoundedInPixels() {
        DicomSlideReader.FrameCache cache = new DicomSlideReader.FrameCache(1000);
        for (int f = 0; f < 10; f++) {
            cache.get(0, f, () -> new int[300]);
        }
        assertThat(cache.pixels()).isLessThanOrEqualTo(1000);
    }

    @Test
    void tiledSparseFramesSitWhereTheirPositionsSayAndMissingTilesAreBackground(@TempDir Path dir) throws Exception {
        // 3 x 2 tiles of 10 px, frames for three of them only, in an order that is not the tiles' order.
        int[][] placed = {{20, 0, 0xC03020}, {0, 10, 0x2050A0}, {10, 0, 0x30A040}}; // column, row (0-based), colour
        Path sparse = dir.resolve("sparse.dcm");
        writeSparse(sparse, 30, 20, 10, placed);
        try (SlideReader r = SlideReaders.installed().open(sparse)) {
            assertThat(r.properties()).containsEntry("dicom.dimension-organization", "TILED_SPARSE");
            int[] out = new int[30 * 20];
            r.readRegion(0, 0, 0, 30, 20, out);
            for (int[] p : placed) {
                for (int y = p[1]; y < p[1] + 10; y++) {
                    for (int x = p[0]; x < p[0] + 10; x++) {
                        assertThat(out[y * 30 + x]).as("tile at %d,%d", p[0], p[1]).isEqualTo(p[2]);
                    }
                }
            }
            for (int[] empty : new int[][] {{0, 0}, {10, 10}, {20, 10}}) {
                assertThat(out[(empty[1] + 5) * 30 + empty[0] + 5]).as("no frame at %d,%d", empty[0], empty[1])
                        .isEqualTo(0xFFFFFF);
            }
        }
    }

    /** A native RGB TILED_SPARSE instance whose frames are solid colours at the given (column, row) pixel positions. */
    static void writeSparse(Path file, int width, int height, int tile, int[][] placed) throws Exception {
        AttributeList list = new AttributeList();
        put(list, TagFromName.SOPClassUID, DicomInstance.WSI_SOP_CLASS);
        put(list, TagFromName.SOPInstanceUID, "1.2.3.4.5.6.8");
        put(list, TagFromName.StudyInstanceUID, "1.2.3.4.5");
        put(list, TagFromName.SeriesInstanceUID, "1.2.3.4.5.7");
        strings(list, new com.pixelmed.dicom.CodeStringAttribute(TagFromName.ImageType), "ORIGINAL", "PRIMARY", "VOLUME", "NONE");
        strings(list, new com.pixelmed.dicom.CodeStringAttribute(TagFromName.DimensionOrganizationType), "TILED_SPARSE");
        strings(list, new com.pixelmed.dicom.CodeStringAttribute(TagFromName.PhotometricInterpretation), "RGB");
        for (var e : java.util.Map.of(TagFromName.Rows, tile, TagFromName.Columns, tile, TagFromName.SamplesPerPixel, 3,
                TagFromName.BitsAllocated, 8, TagFromName.BitsStored, 8, TagFromName.HighBit, 7,
                TagFromName.PixelRepresentation, 0, TagFromName.PlanarConfiguration, 0).entrySet()) {
            com.pixelmed.dicom.Attribute a = new com.pixelmed.dicom.UnsignedShortAttribute(e.getKey());
            a.addValue(e.getValue());
            list.put(a);
        }
        com.pixelmed.dicom.Attribute columns = new com.pixelmed.dicom.UnsignedLongAttribute(TagFromName.TotalPixelMatrixColumns);
        columns.addValue(width);
        list.put(columns);
        com.pixelmed.dicom.Attribute rows = new com.pixelmed.dicom.UnsignedLongAttribute(TagFromName.TotalPixelMatrixRows);
        rows.addValue(height);
        list.put(rows);
        strings(list, new com.pixelmed.dicom.IntegerStringAttribute(TagFromName.NumberOfFrames), String.valueOf(placed.length));
        AttributeList measures = new AttributeList();
        strings(measures, new com.pixelmed.dicom.DecimalStringAttribute(TagFromName.PixelSpacing), "0.0005", "0.0005");
        com.pixelmed.dicom.SequenceAttribute measuresSeq = new com.pixelmed.dicom.SequenceAttribute(TagFromName.PixelMeasuresSequence);
        measuresSeq.addItem(measures);
        AttributeList shared = new AttributeList();
        shared.put(measuresSeq);
        com.pixelmed.dicom.SequenceAttribute sharedSeq = new com.pixelmed.dicom.SequenceAttribute(
                TagFromName.SharedFunctionalGroupsSequence);
        sharedSeq.addItem(shared);
        list.put(sharedSeq);
        com.pixelmed.dicom.SequenceAttribute perFrame = new com.pixelmed.dicom.SequenceAttribute(
                TagFromName.PerFrameFunctionalGroupsSequence);
        byte[] pixels = new byte[placed.length * tile * tile * 3];
        for (int f = 0; f < placed.length; f++) {
            AttributeList position = new AttributeList();
            com.pixelmed.dicom.Attribute c = new com.pixelmed.dicom.SignedLongAttribute(
                    TagFromName.ColumnPositionInTotalImagePixelMatrix);
            c.addValue(placed[f][0] + 1);
            position.put(c);
            com.pixelmed.dicom.Attribute r = new com.pixelmed.dicom.SignedLongAttribute(
                    TagFromName.RowPositionInTotalImagePixelMatrix);
            r.addValue(placed[f][1] + 1);
            position.put(r);
            com.pixelmed.dicom.SequenceAttribute positionSeq = new com.pixelmed.dicom.SequenceAttribute(
                    TagFromName.PlanePositionSlideSequence);
            positionSeq.addItem(position);
            AttributeList item = new AttributeList();
            item.put(positionSeq);
            perFrame.addItem(item);
            for (int i = 0; i < tile * tile; i++) {
                int o = (f * tile * tile + i) * 3;
                pixels[o] = (byte) (placed[f][2] >> 16);
                pixels[o + 1] = (byte) (placed[f][2] >> 8);
                pixels[o + 2] = (byte) placed[f][2];
            }
        }
        list.put(perFrame);
        com.pixelmed.dicom.OtherByteAttribute data = new com.pixelmed.dicom.OtherByteAttribute(TagFromName.PixelData);
        data.setValues(pixels);
        list.put(data);
        FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "NIC");
        list.write(file.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
    }

    static void strings(AttributeList list, com.pixelmed.dicom.Attribute a, String... values) throws Exception {
        for (String v : values) {
            a.addValue(v);
        }
        list.put(a);
    }

    static void assertKind(Path path, SlideException.Kind kind) {
        assertThatThrownBy(() -> SlideReaders.installed().open(path).close()).as(path.getFileName().toString())
                .isInstanceOfSatisfying(SlideException.class, e -> assertThat(e.kind()).isEqualTo(kind));
    }

    /** A minimal CT image: DICOM, but not a slide. */
    static void writeCt(Path file) throws Exception {
        AttributeList list = new AttributeList();
        put(list, TagFromName.SOPClassUID, "1.2.840.10008.5.1.4.1.1.2");
        put(list, TagFromName.SOPInstanceUID, "1.2.3.4.5.6.7");
        put(list, TagFromName.StudyInstanceUID, "1.2.3.4.5");
        put(list, TagFromName.SeriesInstanceUID, "1.2.3.4.5.6");
        FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "NIC");
        list.write(file.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
    }

    static void put(AttributeList list, com.pixelmed.dicom.AttributeTag tag, String value) throws Exception {
        com.pixelmed.dicom.Attribute a = new com.pixelmed.dicom.UniqueIdentifierAttribute(tag);
        a.addValue(value);
        list.put(a);
    }

    static double meanAbsoluteDifference(SlideReader a, SlideReader b, long x, long y, int level, int w, int h) {
        return meanAbsoluteDifference(a, b, x, y, level, level, w, h);
    }

    static double meanAbsoluteDifference(SlideReader a, SlideReader b, long x, long y, int levelA, int levelB, int w, int h) {
        int[] pa = new int[w * h];
        int[] pb = new int[w * h];
        a.readRegion(x, y, levelA, w, h, pa);
        b.readRegion(x, y, levelB, w, h, pb);
        double sum = 0;
        for (int i = 0; i < pa.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                sum += Math.abs(((pa[i] >> shift) & 0xFF) - ((pb[i] >> shift) & 0xFF));
            }
        }
        return sum / (3.0 * pa.length);
    }
}
