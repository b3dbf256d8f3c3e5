package org.nic.training.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Loads patch datasets: one folder per task with one subfolder per class (PNG, JPEG, TIFF), or a CSV
 * manifest {@code path,task,label} (paths relative to the manifest) for regression and mixed layouts.
 * Every image is scaled by its task's scale to 0.5 um/px and centre-cropped to {@link #SIDE} px.
 */
public final class PatchDataset {

    /** Edge of prepared images: 128 px plus room for shifts and zoom. */
    public static final int SIDE = 144;
    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".tif", ".tiff");

    private final List<TaskSpec> tasks;
    private final List<PatchExample> examples;

    private PatchDataset(List<TaskSpec> tasks, List<PatchExample> examples) {
        this.tasks = List.copyOf(tasks);
        this.examples = List.copyOf(examples);
    }

    public List<TaskSpec> tasks() {
        return tasks;
    }

    public List<PatchExample> examples() {
        return examples;
    }

    public List<PatchExample> examplesOf(int task) {
        return examples.stream().filter(e -> e.task() == task).toList();
    }

    /** Index of the task with this name. */
    public int taskIndex(String name) {
        for (int t = 0; t < tasks.size(); t++) {
            if (tasks.get(t).name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("no task " + name + " in " + tasks.stream().map(TaskSpec::name).toList());
    }

    /** The same patches restricted to some tasks (by name), re-indexed in the given order. */
    public PatchDataset only(List<String> names) {
        List<TaskSpec> kept = new ArrayList<>();
        List<PatchExample> out = new ArrayList<>();
        for (String name : names) {
            int old = taskIndex(name);
            int index = kept.size();
            kept.add(tasks.get(old));
            for (PatchExample e : examplesOf(old)) {
                out.add(new PatchExample(e.rgb(), e.side(), index, e.label(), e.group(), e.file()));
            }
        }
        return new PatchDataset(kept, out);
    }

    /** A task read from a folder of class subfolders. */
    public record FolderTask(String name, Path folder, double scale, double weight, Double validationShare) { }

    /**
     * Loads classification tasks from class folders.
     *
     * @param grouping how images are grouped for splitting (near-duplicates, or by source)
     */
    public static PatchDataset fromFolders(List<FolderTask> sources, Grouping grouping) {
        return fromFolders(sources, java.util.Collections.nCopies(sources.size(), grouping));
    }

    /** Loads classification tasks from class folders, each task with its own grouping. */
    public static PatchDataset fromFolders(List<FolderTask> sources, List<Grouping> groupings) {
        List<TaskSpec> specs = new ArrayList<>();
        List<PatchExample> all = new ArrayList<>();
        for (int s = 0; s < sources.size(); s++) {
            FolderTask source = sources.get(s);
            Grouping grouping = groupings.get(s);
            if (!Files.isDirectory(source.folder())) {
                throw new DatasetException("task " + source.name() + ": no folder " + source.folder());
            }
            List<Path> classDirs = list(source.folder()).stream().filter(Files::isDirectory).toList();
            if (classDirs.size() < 2) {
                throw new DatasetException("task " + source.name() + ": " + source.folder()
                        + " needs at least two class subfolders, found " + classDirs.size());
            }
            List<String> classes = classDirs.stream().map(p -> p.getFileName().toString()).toList();
            int taskIndex = specs.size();
            specs.add(new TaskSpec(source.name(), TaskSpec.Kind.CLASSIFICATION, classes, source.scale(), source.weight(),
                    source.validationShare()));
            List<PatchExample> taskExamples = new ArrayList<>();
            for (int c = 0; c < classDirs.size(); c++) {
                List<Path> images = list(classDirs.get(c)).stream().filter(PatchDataset::isImage).toList();
                if (images.isEmpty()) {
                    throw new DatasetException("task " + source.name() + ": class folder " + classDirs.get(c) + " holds no images");
                }
                for (Path image : images) {
                    taskExamples.add(new PatchExample(prepare(image, source.scale()), SIDE, taskIndex, c, null, image));
                }
            }
            all.addAll(grouping.assign(taskExamples));
        }
        return new PatchDataset(specs, all);
    }

    /**
     * Loads tasks from a CSV manifest with lines {@code path,task,label}; {@code declared} gives each
     * task's kind, classes (for classification) and scale. A row naming an undeclared task, an unknown
     * class or a non-numeric regression target is an error naming the line.
     */
    public static PatchDataset fromManifest(Path manifest, List<TaskSpec> declared, Grouping grouping) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < declared.size(); i++) {
            index.put(declared.get(i).name(), i);
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(manifest);
        } catch (IOException e) {
            throw new DatasetException("cannot read manifest " + manifest + ": " + e.getMessage(), e);
        }
        List<List<PatchExample>> perTask = new ArrayList<>();
        declared.forEach(t -> perTask.add(new ArrayList<>()));
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).trim();
            if (line.isEmpty() || line.startsWith("#") || (n == 0 && line.startsWith("path,"))) {
                continue;
            }
            String[] f = line.split(",");
            String where = manifest + ":" + (n + 1);
            if (f.length < 3) {
                throw new DatasetException(where + ": expected path,task,label");
            }
            Integer t = index.get(f[1].trim());
            if (t == null) {
                throw new DatasetException(where + ": unknown task " + f[1].trim() + " (declared: " + index.keySet() + ")");
            }
            TaskSpec spec = declared.get(t);
            float label;
            if (spec.kind() == TaskSpec.Kind.CLASSIFICATION) {
                int c = spec.classes().indexOf(f[2].trim());
                if (c < 0) {
                    throw new DatasetException(where + ": class " + f[2].trim() + " is not one of " + spec.classes());
                }
                label = c;
            } else {
                try {
                    label = Float.parseFloat(f[2].trim());
                } catch (NumberFormatException e) {
                    throw new DatasetException(where + ": regression target is not a number: " + f[2].trim());
                }
            }
            Path image = manifest.toAbsolutePath().getParent().resolve(f[0].trim());
            perTask.get(t).add(new PatchExample(prepare(image, spec.scale()), SIDE, t, label, null, image));
        }
        List<PatchExample> all = new ArrayList<>();
        for (int t = 0; t < declared.size(); t++) {
            if (perTask.get(t).isEmpty()) {
                throw new DatasetException(manifest + ": task " + declared.get(t).name() + " has no rows");
            }
            all.addAll(grouping.assign(perTask.get(t)));
        }
        return new PatchDataset(declared, all);
    }

    /** Reads an image, scales it to 0.5 um/px and centre-crops it to {@link #SIDE}. */
    static byte[] prepare(Path file, double scale) {
        BufferedImage src = readImage(file);
        int w = (int) Math.round(src.getWidth() * scale);
        int h = (int) Math.round(src.getHeight() * scale);
        if (Math.min(w, h) < 128) {
            throw new DatasetException("image " + file + " is " + src.getWidth() + "x" + src.getHeight()
                    + ", under 128 px at 0.5 um/px after scaling by " + scale);
        }
        int side = Math.min(Math.min(w, h), SIDE);
        // Draw the scaled image so that its centre square of 'side' px lands on a SIDE x SIDE canvas.
        BufferedImage out = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        double k = (double) SIDE / side;
        int dw = (int) Math.round(w * k);
        int dh = (int) Math.round(h * k);
        g.drawImage(src, (SIDE - dw) / 2, (SIDE - dh) / 2, dw, dh, null);
        g.dispose();
        byte[] rgb = new byte[SIDE * SIDE * 3];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int p = out.getRGB(x, y);
                int i = (y * SIDE + x) * 3;
                rgb[i] = (byte) (p >> 16);
                rgb[i + 1] = (byte) (p >> 8);
                rgb[i + 2] = (byte) p;
            }
        }
        return rgb;
    }

    /** An image file through ImageIO, or a {@link DatasetException} that names it and says why not. */
    static BufferedImage readImage(Path file) {
        BufferedImage src;
        try {
            src = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new DatasetException("unreadable image " + file + ": " + e.getMessage(), e);
        }
        if (src == null) {
            throw new DatasetException("unreadable image " + file + ": no decoder recognises it");
        }
        return src;
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
            throw new DatasetException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
