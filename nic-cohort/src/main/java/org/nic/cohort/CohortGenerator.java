package org.nic.cohort;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * A synthetic slide cohort with known answers, for judging slide-level heads: every slide a pyramidal TIFF
 * painted with real colorectal tissue ({@link TileLibrary}) in a {@link SlideLayout}, and three targets like
 * the paper's tasks:
 * <ul>
 *   <li>{@code tumour-fraction} (regression): the share of tissue that is tumour, 0.15-0.40;</li>
 *   <li>{@code growth-pattern} (classification), one of the {@link Patterns} families: compact or scattered
 *       tumour; or the paper's histopathological growth patterns of liver metastases, desmoplastic or replacement
 *       (and mixed, in the three-class family) at equal composition. The classes are balanced and independent of
 *       the fraction, so that only arrangement answers it;</li>
 *   <li>{@code overall-survival}: exponential times with log-hazard 0.8 z(fraction) + 1.2 [scattered, or
 *       replacement; mixed 0.6] (baseline 1/24 per month), censored uniformly between 6 and 72 months.</li>
 * </ul>
 * Training and test slides are painted from tiles of different source slides (patients; by default 01 and
 * 03-07 for training, 02 and 08-10 for test; a validation cohort splits the training patients among
 * themselves so that it never shows the test patients). Deterministic:
 * the same seed and settings give the same slides and labels.
 */
public final class CohortGenerator {

    /** The growth-pattern task's classes, in label order (the positive class of a binary task last). */
    public enum Patterns {
        /** Compact vs scattered tumour. */
        COMPACT_SCATTERED(SlideLayout.Pattern.COMPACT, SlideLayout.Pattern.SCATTERED),
        /** Desmoplastic vs replacement, the paper's growth pattern at equal composition. */
        BORDER(SlideLayout.Pattern.DESMOPLASTIC, SlideLayout.Pattern.REPLACEMENT),
        /** Desmoplastic, mixed, replacement. */
        BORDER_MIXED(SlideLayout.Pattern.DESMOPLASTIC, SlideLayout.Pattern.MIXED, SlideLayout.Pattern.REPLACEMENT);

        private final List<SlideLayout.Pattern> patterns;

        Patterns(SlideLayout.Pattern... patterns) {
            this.patterns = List.of(patterns);
        }

        public List<SlideLayout.Pattern> patterns() {
            return patterns;
        }

        /** The class names the trainer is told, in order. */
        public List<String> classes() {
            return patterns.stream().map(p -> p.name().toLowerCase(Locale.ROOT)).toList();
        }

        /** The family a cohort's slides belong to. */
        public static Patterns of(List<Slide> slides) {
            Set<SlideLayout.Pattern> seen = new java.util.HashSet<>();
            slides.forEach(x -> seen.add(x.pattern()));
            for (Patterns p : values()) {
                if (p.patterns.containsAll(seen) && seen.containsAll(p.patterns.subList(0, 1))) {
                    return p;
                }
            }
            throw new IllegalArgumentException("no pattern family holds " + seen);
        }

        /** A slide's class index. */
        public int index(SlideLayout.Pattern pattern) {
            return patterns.indexOf(pattern);
        }
    }

    /** Kather 2016 source slides that paint training slides; the others paint test slides. */
    public static final Set<Integer> TRAIN_SOURCES = Set.of(1, 3, 4, 5, 6, 7);
    public static final Set<Integer> TEST_SOURCES = Set.of(2, 8, 9, 10);
    public static final double MIN_FRACTION = 0.15;
    public static final double MAX_FRACTION = 0.40;
    static final double BASELINE_HAZARD = 1 / 24.0;
    static final double BETA_FRACTION = 0.8;
    static final double BETA_SCATTERED = 1.2;

    /**
     * @param seed cohort seed
     * @param trainSlides slides whose labels the trainer gets
     * @param testSlides slides held out to judge the heads
     * @param size slide edge in pixels (a multiple of 128; 8192 = 4 mm at 0.5 um/px)
     * @param largeShare share of slides made {@code largeSize} instead
     * @param largeSize edge of the large slides
     * @param kather the Kather 2016 folder
     * @param out folder for the slides and labels.csv
     * @param trainSources Kather source slides (patients) that paint the training slides
     * @param testSources those that paint the test slides; none may also paint training slides
     * @param patterns the growth-pattern task's family
     */
    public record Settings(long seed, int trainSlides, int testSlides, int size, double largeShare, int largeSize,
                           Path kather, Path out, Set<Integer> trainSources, Set<Integer> testSources, Patterns patterns) {

        public Settings {
            trainSources = Set.copyOf(trainSources);
            testSources = Set.copyOf(testSources);
            if (trainSources.isEmpty() || testSources.isEmpty()) {
                throw new IllegalArgumentException("training and test slides each need source patients");
            }
            if (trainSources.stream().anyMatch(testSources::contains)) {
                throw new IllegalArgumentException("source patients " + trainSources + " and " + testSources
                        + " overlap: test slides must come from patients the training slides never show");
            }
        }

        /** The default patients: training from {@link #TRAIN_SOURCES}, test from {@link #TEST_SOURCES}; compact or scattered. */
        public Settings(long seed, int trainSlides, int testSlides, int size, double largeShare, int largeSize,
                        Path kather, Path out) {
            this(seed, trainSlides, testSlides, size, largeShare, largeSize, kather, out, TRAIN_SOURCES, TEST_SOURCES,
                    Patterns.COMPACT_SCATTERED);
        }
    }

    /** One slide of the cohort and its answers. */
    public record Slide(String slideId, String split, Path file, int sizePx, double tumourFraction,
                        SlideLayout.Pattern pattern, double logHazard, double time, boolean event, int tissueCells,
                        double cohesion, double rimShare) {

        public String patternLabel() {
            return pattern.name().toLowerCase(Locale.ROOT);
        }

        public Slide withSplit(String other) {
            return new Slide(slideId, other, file, sizePx, tumourFraction, pattern, logHazard, time, event, tissueCells, cohesion,
                    rimShare);
        }
    }

    private CohortGenerator() {
    }

    public static List<Slide> generate(Settings s, PrintStream log) throws IOException, InterruptedException {
        int n = s.trainSlides() + s.testSlides();
        Random cohort = new Random(s.seed());
        // Patterns balanced within each split; fractions, sizes and survival drawn per slide.
        List<SlideLayout.Pattern> trainPatterns = balanced(s.trainSlides(), s.patterns(), cohort);
        List<SlideLayout.Pattern> testPatterns = balanced(s.testSlides(), s.patterns(), cohort);
        log.printf("[cohort] loading Kather 2016 tiles (training sources %s, test sources %s)%n", new java.util.TreeSet<>(
                s.trainSources()), new java.util.TreeSet<>(s.testSources()));
        TileLibrary trainTiles = TileLibrary.load(s.kather(), s.trainSources());
        TileLibrary testTiles = TileLibrary.load(s.kather(), s.testSources());
        long t0 = System.nanoTime();
        List<Slide> slides = new ArrayList<>();
        List<java.util.concurrent.Callable<Path>> paintings = new ArrayList<>();
        // Slides are drawn in order (each from its own random source, so the cohort is the same however the
        // files are written), then painted and written by one worker a core: painting is single-threaded Java.
        ThreadLocal<SlideWriter> writers = ThreadLocal.withInitial(SlideWriter::new);
        for (int i = 0; i < n; i++) {
            boolean train = i < s.trainSlides();
            Random r = slideRandom(s.seed(), i);
            double fraction = MIN_FRACTION + r.nextDouble() * (MAX_FRACTION - MIN_FRACTION);
            SlideLayout.Pattern pattern = train ? trainPatterns.get(i) : testPatterns.get(i - s.trainSlides());
            int size = r.nextDouble() < s.largeShare() ? s.largeSize() : s.size();
            int cells = size / TileLibrary.CELL;
            SlideLayout layout = SlideLayout.generate(cells, cells, fraction, pattern, r);
            double z = (layout.tumourFraction() - (MIN_FRACTION + MAX_FRACTION) / 2)
                    / ((MAX_FRACTION - MIN_FRACTION) / Math.sqrt(12));
            double logHazard = BETA_FRACTION * z + BETA_SCATTERED * switch (pattern) {
                case SCATTERED, REPLACEMENT -> 1.0;
                case MIXED -> 0.5;
                default -> 0.0;
            };
            double eventTime = -Math.log(1 - r.nextDouble()) / (BASELINE_HAZARD * Math.exp(logHazard));
            double censorTime = 6 + r.nextDouble() * 66;
            String id = String.format("cohort%d-%s-%03d", s.seed(), train ? "train" : "test", i);
            Path file = s.out().resolve("slides").resolve(id + ".tif");
            TileLibrary tiles = train ? trainTiles : testTiles;
            if (!Files.exists(file)) {
                paintings.add(() -> writers.get().write(layout, tiles, r, file));
            }
            slides.add(new Slide(id, train ? "train" : "test", file, size, layout.tumourFraction(), pattern, logHazard,
                    Math.min(eventTime, censorTime), eventTime <= censorTime, layout.tissueCells(), layout.tumourCohesion(),
                    layout.rimShare()));
        }
        // One canvas a worker (a 26,752 px slide's is 2.1 GB): large slides are written one at a time.
        int workers = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), s.largeShare() > 0 ? 1 : 4));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(workers);
        try {
            java.util.concurrent.CompletionService<Path> done = new java.util.concurrent.ExecutorCompletionService<>(pool);
            paintings.forEach(done::submit);
            for (int k = 0; k < paintings.size(); k++) {
                try {
                    done.take().get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                }
                double elapsed = (System.nanoTime() - t0) / 1e9;
                log.printf("\r[cohort] %d/%d slides written (%d workers), %.0f s, ETA %.0f s   ", k + 1, paintings.size(),
                        workers, elapsed, elapsed / (k + 1) * (paintings.size() - k - 1));
            }
        } finally {
            pool.shutdownNow();
        }
        log.println();
        writeLabels(slides, s.out().resolve("labels.csv"));
        return slides;
    }

    /**
     * Slide {@code i}'s own random source. Its seed is mixed (SplitMix64's finaliser): java.util.Random
     * started from neighbouring seeds gives nearly the same first numbers, which made every slide's tumour
     * fraction, its first draw, the same to within 0.006.
     */
    static Random slideRandom(long seed, int i) {
        long z = seed * 0x9E3779B97F4A7C15L + (i + 1) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new Random(z ^ (z >>> 31));
    }

    private static List<SlideLayout.Pattern> balanced(int n, Patterns family, Random random) {
        List<SlideLayout.Pattern> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(family.patterns().get(i % family.patterns().size()));
        }
        Collections.shuffle(out, random);
        return out;
    }

    public static void writeLabels(List<Slide> slides, Path csv) {
        StringBuilder s = new StringBuilder("slide_id,split,file,size_px,tumour_fraction,growth_pattern,log_hazard,time,event,"
                + "tissue_cells,tumour_cohesion,rim_share\n");
        for (Slide x : slides) {
            s.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%.6f,%s,%.6f,%.4f,%d,%d,%.4f,%.4f%n", x.slideId(), x.split(),
                    x.file().getFileName(), x.sizePx(), x.tumourFraction(), x.patternLabel(), x.logHazard(), x.time(),
                    x.event() ? 1 : 0, x.tissueCells(), x.cohesion(), x.rimShare()));
        }
        try {
            Files.writeString(csv, s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a cohort's labels.csv back (slide files resolved beside it, under slides/). */
    public static List<Slide> readLabels(Path csv) {
        try {
            List<Slide> out = new ArrayList<>();
            List<String> lines = Files.readAllLines(csv);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",");
                out.add(new Slide(f[0], f[1], csv.toAbsolutePath().getParent().resolve("slides").resolve(f[2]),
                        Integer.parseInt(f[3]), Double.parseDouble(f[4]),
                        SlideLayout.Pattern.valueOf(f[5].toUpperCase(Locale.ROOT)), Double.parseDouble(f[6]),
                        Double.parseDouble(f[7]), f[8].equals("1"), Integer.parseInt(f[9]), Double.parseDouble(f[10]),
                        f.length > 11 ? Double.parseDouble(f[11]) : Double.NaN));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + csv, e);
        }
    }
}
