package org.nic.training.head;

/**
 * A trained attention head in inference form (1x1 kernels as out x in, output layer as 128 x outputs).
 */
public record AttentionWeights(int codeSize, float[] embed, float[] embedBias, float[] gateV, float[] gateVBias,
                               float[] gateU, float[] gateUBias, float[] score, float[] scoreBias, float[] output,
                               float[] outputBias, int outputs) {

    /** Folds y = z * sd + mean into the output layer. */
    AttentionWeights destandardised(double mean, double sd) {
        float[] out = output.clone();
        float[] bias = outputBias.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] *= (float) sd;
        }
        for (int i = 0; i < bias.length; i++) {
            bias[i] = (float) (bias[i] * sd + mean);
        }
        return new AttentionWeights(codeSize, embed, embedBias, gateV, gateVBias, gateU, gateUBias, score, scoreBias, out, bias,
                outputs);
    }
}
