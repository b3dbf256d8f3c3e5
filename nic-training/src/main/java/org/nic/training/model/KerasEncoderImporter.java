package org.nic.training.model;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the NIC authors' released Keras 2 encoders (HDF5 weights + config) with a pure-Java HDF5 reader
 * and turns them into {@link EncoderWeights}: kernels HWIO to OIHW, dense kernel kept as in x out, and the
 * Keras (h, w, c) flatten order recorded. Their input is the 64 x 64 pooled patch, so the ONNX graph gets
 * the 2x2 input pool in front. The mean-RGB model (global average pooling only) maps to the mean-RGB kind.
 */
public final class KerasEncoderImporter {

    private static final Pattern NUMBERED = Pattern.compile("^(conv2d|batch_normalization)_(\\d+)$");

    private KerasEncoderImporter() {
    }

    public static EncoderWeights read(Path h5) {
        try (HdfFile file = new HdfFile(h5)) {
            String config = String.valueOf(file.getAttribute("model_config").getData());
            if (config.contains("GlobalAveragePooling2D") && !config.contains("Conv2D")) {
                return EncoderWeights.meanRgb();
            }
            float leak = leakOf(config);
            float epsilon = epsilonOf(config);
            Map<String, Group> layers = new TreeMap<>();
            collectLayers(file.getByPath("/model_weights") instanceof Group g ? g : null, layers);
            List<Group> convs = numbered(layers, "conv2d");
            List<Group> norms = numbered(layers, "batch_normalization");
            if (convs.isEmpty() || convs.size() != norms.size()) {
                throw new IllegalArgumentException(h5.getFileName() + ": expected matching conv2d and batch_normalization layers, found "
                        + convs.size() + " and " + norms.size());
            }
            List<EncoderWeights.ConvLayer> convLayers = new ArrayList<>();
            for (int i = 0; i < convs.size(); i++) {
                Group c = convs.get(i);
                Group bn = norms.get(i);
                float[][][][] hwio = (float[][][][]) dataset(c, "kernel:0").getData();
                int kh = hwio.length;
                int kw = hwio[0].length;
                int in = hwio[0][0].length;
                int out = hwio[0][0][0].length;
                float[] oihw = new float[out * in * kh * kw];
                for (int o = 0; o < out; o++) {
                    for (int ci = 0; ci < in; ci++) {
                        for (int y = 0; y < kh; y++) {
                            for (int x = 0; x < kw; x++) {
                                oihw[((o * in + ci) * kh + y) * kw + x] = hwio[y][x][ci][o];
                            }
                        }
                    }
                }
                convLayers.add(new EncoderWeights.ConvLayer(out, in, oihw, vector(c, "bias:0"), vector(bn, "gamma:0"),
                        vector(bn, "beta:0"), vector(bn, "moving_mean:0"), vector(bn, "moving_variance:0"), epsilon));
            }
            Group denseGroup = layers.entrySet().stream()
                    .filter(e -> e.getValue().getChildren().containsKey("kernel:0") && !e.getKey().startsWith("conv2d"))
                    .map(Map.Entry::getValue).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(h5.getFileName() + ": no dense layer"));
            float[][] kernel = (float[][]) dataset(denseGroup, "kernel:0").getData();
            float[] flat = new float[kernel.length * kernel[0].length];
            for (int r = 0; r < kernel.length; r++) {
                System.arraycopy(kernel[r], 0, flat, r * kernel[0].length, kernel[0].length);
            }
            EncoderWeights.Dense dense = new EncoderWeights.Dense(kernel.length, kernel[0].length, flat,
                    vector(denseGroup, "bias:0"));
            return new EncoderWeights(EncoderWeights.CONVOLUTIONAL, 2, leak, convLayers, dense, true);
        }
    }

    /** Every group that directly holds datasets, by its own name (Keras nests them one or two levels deep). */
    private static void collectLayers(Group group, Map<String, Group> out) {
        if (group == null) {
            return;
        }
        for (Node child : group.getChildren().values()) {
            if (child instanceof Group g) {
                boolean holdsData = g.getChildren().values().stream().anyMatch(n -> n instanceof Dataset);
                if (holdsData) {
                    out.put(g.getName(), g);
                } else {
                    collectLayers(g, out);
                }
            }
        }
    }

    private static List<Group> numbered(Map<String, Group> layers, String prefix) {
        return layers.entrySet().stream()
                .filter(e -> {
                    Matcher m = NUMBERED.matcher(e.getKey());
                    return m.matches() && m.group(1).equals(prefix);
                })
                .sorted(Comparator.comparingInt(e -> Integer.parseInt(e.getKey().substring(prefix.length() + 1))))
                .map(Map.Entry::getValue).toList();
    }

    private static Dataset dataset(Group g, String name) {
        Node n = g.getChild(name);
        if (!(n instanceof Dataset d)) {
            throw new IllegalArgumentException(g.getPath() + " has no dataset " + name);
        }
        return d;
    }

    private static float[] vector(Group g, String name) {
        return (float[]) dataset(g, name).getData();
    }

    private static float leakOf(String config) {
        Matcher m = Pattern.compile("\"alpha\": ([0-9.eE-]+)").matcher(config);
        return m.find() ? Float.parseFloat(m.group(1)) : 0.2f;
    }

    private static float epsilonOf(String config) {
        Matcher m = Pattern.compile("\"epsilon\": ([0-9.eE-]+)").matcher(config);
        return m.find() ? Float.parseFloat(m.group(1)) : 1e-3f;
    }
}
