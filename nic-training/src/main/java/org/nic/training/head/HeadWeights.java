package org.nic.training.head;

import java.util.List;

/**
 * A trained gigapixel head in inference form.
 *
 * @param codeSize input channels C of the grid
 * @param layers the depthwise-separable layers (the arrangement branch)
 * @param fractions the composition branch's cell-type detectors, FRACTIONS x C x 1 x 1
 * @param fractionsBias their bias
 * @param dense dense layer, (128 + FRACTIONS) x 128, row-major (input: arrangement features, then the fractions)
 * @param denseBias its bias
 * @param codeCentre the training slides' mean tissue code per channel (the output reads the slide's mean code minus it)
 * @param codeScale 1 / the spread of the training slides' mean codes per channel (times that)
 * @param output output layer, (128 + FRACTIONS) x outputs, row-major (input: the dense features, then the fractions)
 * @param outputBias its bias
 * @param outputs number of outputs
 * @param slideNorm whether the arrangement branch reads the crop's tissue codes standardised per channel over the
 *        crop's tissue cells ({@link GigapixelHead#slideNormalised})
 */
public record HeadWeights(int codeSize, List<SeparableLayer> layers, float[] fractions, float[] fractionsBias, float[] dense,
                          float[] denseBias, float[] codeCentre, float[] codeScale, float[] output, float[] outputBias, int outputs,
                          boolean slideNorm) {

    /**
     * @param in input channels
     * @param stride stride of the depthwise convolution
     * @param depthwise in x 1 x 3 x 3
     * @param pointwise 128 x in x 1 x 1
     */
    public record SeparableLayer(int in, int stride, float[] depthwise, float[] pointwise, float[] pointwiseBias,
                                 float[] gamma, float[] beta, float[] mean, float[] variance) { }
}
