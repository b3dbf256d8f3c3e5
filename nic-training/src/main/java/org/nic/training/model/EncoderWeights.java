package org.nic.training.model;

import java.util.List;

/**
 * The weights of a NIC patch encoder in a framework-neutral form, enough to write it as ONNX: either the
 * paper's convolutional encoder (2x2 average pool, convolutions each followed by LeakyReLU and batch
 * norm, flatten, dense) or the mean-RGB baseline.
 *
 * @param kind {@link #CONVOLUTIONAL} or {@link #MEAN_RGB}
 * @param inputPool side of the average pool applied to the 128 px input first (2 in NIC; 1 = none)
 * @param leak LeakyReLU slope for negative inputs
 * @param convs convolution blocks in order
 * @param dense the final linear layer
 * @param flattenNhwc true when the dense layer expects features flattened in (h, w, c) order (Keras),
 *     false for (c, h, w) order (PyTorch/DJL)
 */
public record EncoderWeights(String kind, int inputPool, float leak, List<ConvLayer> convs, Dense dense,
                             boolean flattenNhwc) {

    public static final String CONVOLUTIONAL = "convolutional";
    public static final String MEAN_RGB = "mean-rgb";

    /** The mean-RGB baseline: the average colour of the patch, 3 features. */
    public static EncoderWeights meanRgb() {
        return new EncoderWeights(MEAN_RGB, 1, 0, List.of(), null, false);
    }

    /** Length of the code this encoder outputs. */
    public int codeSize() {
        return MEAN_RGB.equals(kind) ? 3 : dense.out();
    }

    public long parameterCount() {
        long n = 0;
        for (ConvLayer c : convs) {
            n += c.kernel().length + c.bias().length + 4L * c.outChannels();
        }
        return dense == null ? n : n + dense.weight().length + dense.bias().length;
    }

    /**
     * A 3x3 stride-2 valid convolution, then LeakyReLU, then batch norm (inference form).
     *
     * @param kernel OIHW, {@code outChannels * inChannels * 3 * 3}
     */
    public record ConvLayer(int outChannels, int inChannels, float[] kernel, float[] bias, float[] gamma, float[] beta,
                            float[] mean, float[] variance, float epsilon) { }

    /**
     * y = x W + b.
     *
     * @param weight {@code in x out}, row-major
     */
    public record Dense(int in, int out, float[] weight, float[] bias) { }
}
