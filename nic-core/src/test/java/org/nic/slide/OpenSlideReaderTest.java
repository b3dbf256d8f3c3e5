package org.nic.slide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class OpenSlideReaderTest {

    @Test
    void readsPropertiesOfARealAperioSlide() {
        try (SlideReader slide = SlideReaders.installed().open(TestSlides.cmu1())) {
            assertThat(slide.vendor()).isEqualTo("aperio");
            assertThat(slide.levelCount()).isEqualTo(1);
            assertThat(slide.levelDimensions(0)).isEqualTo(new SlideReader.LevelDimensions(2220, 2967));
            assertThat(slide.levelDownsample(0)).isEqualTo(1.0);
            assertThat(slide.associatedImageNames()).contains("label", "macro", "thumbnail");
            SlideMetadata metadata = SlideMetadata.of(slide);
            assertThat(metadata.mpp()).isEqualTo(0.499);
            assertThat(metadata.objectivePower()).isEqualTo(20.0);
            assertThat(metadata.reader()).startsWith("openslide-");
        }
    }

    @Test
    void readsOpaqueRgbAndTheSameBytesFromManyThreads() throws Exception {
        try (SlideReader slide = SlideReaders.installed().open(TestSlides.cmu1())) {
            int[] reference = new int[128 * 128];
            slide.readRegion(1000, 1200, 0, 128, 128, reference);
            assertThat(java.util.Arrays.stream(reference).anyMatch(p -> p != 0xFFFFFF)).isTrue(); // tissue there, not blank
            assertThat(java.util.Arrays.stream(reference).allMatch(p -> (p >>> 24) == 0)).isTrue();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<int[]>> reads = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                reads.add(pool.submit(() -> {
                    int[] px = new int[128 * 128];
                    slide.readRegion(1000, 1200, 0, 128, 128, px);
                    return px;
                }));
            }
            for (Future<int[]> read : reads) {
                assertThat(read.get()).isEqualTo(reference);
            }
            pool.shutdown();
        }
    }

    @Test
    void outsideTheSlideIsWhite() {
        try (SlideReader slide = SlideReaders.installed().open(TestSlides.cmu1())) {
            BufferedImage image = slide.readRegion(-64, -64, 0, 32, 32);
            assertThat(image.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFFFFFF);
        }
    }

    @Test
    void compositesPremultipliedAlphaOnWhite() {
        assertThat(OpenSlideReader.onWhite(0xFF102030)).isEqualTo(0x102030);
        assertThat(OpenSlideReader.onWhite(0x00000000)).isEqualTo(0xFFFFFF);
        // half-transparent black, premultiplied: 0x80 alpha, channels 0 -> 0x7F on white
        assertThat(OpenSlideReader.onWhite(0x80000000)).isEqualTo(0x7F7F7F);
    }

    @Test
    void closedReaderRefusesReadsAndCloseIsIdempotent() {
        SlideReader slide = SlideReaders.installed().open(TestSlides.cmu1());
        slide.close();
        slide.close();
        assertThatThrownBy(() -> slide.readRegion(0, 0, 0, 4, 4, new int[16]))
                .isInstanceOfSatisfying(SlideException.class, e -> assertThat(e.kind()).isEqualTo(SlideException.Kind.CLOSED))
                .hasMessageContaining("CMU-1-Small-Region.svs");
    }

    @Test
    void aTiffOpenSlideCannotOpenFailsToOpen() {
        assertThatThrownBy(() -> SlideReaders.installed().open(TestSlides.slide("invalid/unopenable.tiff")))
                .isInstanceOfSatisfying(SlideException.class,
                        e -> assertThat(e.kind()).isEqualTo(SlideException.Kind.OPEN_FAILED))
                .hasMessageContaining("unopenable.tiff");
    }

    @Test
    void dicomOpensThroughTheDicomReaderWhateverOpenSlideSays() {
        // OpenSlide 3.4.1 (Debian 12) has no DICOM reader: PixelMed's (org.nic.slide.dicom) reads OpenSlide's fixture.
        java.nio.file.Path dicom = TestSlides.slide("boxes_0.dcm");
        try (SlideReader slide = SlideReaders.installed().open(dicom)) {
            assertThat(slide.vendor()).isEqualTo("dicom");
            assertThat(slide.levelDimensions(0)).isEqualTo(new SlideReader.LevelDimensions(16, 16));
        }
    }

    @Test
    void unreadablePixelsBecomeATypedReadError() {
        assertThatThrownBy(() -> {
            try (SlideReader slide = SlideReaders.installed().open(TestSlides.slide("invalid/unreadable.svs"))) {
                slide.readRegion(0, 0, 0, 16, 16, new int[256]);
            }
        }).isInstanceOfSatisfying(SlideException.class,
                e -> assertThat(e.kind()).isIn(SlideException.Kind.READ_FAILED, SlideException.Kind.OPEN_FAILED))
                .hasMessageContaining("unreadable.svs");
    }

    @Test
    void missingFileIsNamed() {
        assertThatThrownBy(() -> SlideReaders.installed().open(TestSlides.slide("nope.svs")))
                .isInstanceOf(SlideException.class).hasMessageContaining("nope.svs");
    }
}
