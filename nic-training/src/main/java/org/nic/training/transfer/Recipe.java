package org.nic.training.transfer;

import java.util.List;
import java.util.Set;
import org.nic.training.data.Augmenter;
import org.nic.training.model.EncoderArchitecture;
import org.nic.training.model.EncoderWeights;
import org.nic.training.train.MtlTrainer;

/**
 * A way to train the encoder, compared with others by {@link TransferEvaluation} and chosen by the rule
 * in docs/encoder.md. Every recipe uses the paper's architecture and augmentation, 32 patches of each task
 * per step, the same step budget, and task losses balanced by ln(classes).
 *
 * @param name recipe name, as {@code --recipe} takes it
 * @param description one line for reports
 * @param warm whether it starts from the released multitask encoder (else random initialisation)
 * @param learningRate Adam's initial rate for the encoder (cosine decay to 1/100 of it); heads learn at
 *     {@link #HEAD_LEARNING_RATE}
 * @param warmStart freezing and anchoring of a warm start (null: none)
 * @param singleTask an ablation: trained on one dataset at a time
 */
public record Recipe(String name, String description, boolean warm, float learningRate, MtlTrainer.WarmStart warmStart,
                     boolean singleTask) {

    public static final int BATCH_PER_TASK = 32;
    public static final float HEAD_LEARNING_RATE = 1e-3f;

    /** The candidates, in report order. */
    public static List<Recipe> all() {
        return List.of(
                new Recipe("mtl-scratch", "MTL on all training datasets from random initialisation, lr 1e-3",
                        false, 1e-3f, null, false),
                new Recipe("mtl-warm", "MTL continued from multitask-4: heads alone for the first 10% of steps, then"
                        + " the encoder at lr 1e-4, nothing else held",
                        true, 1e-4f, new MtlTrainer.WarmStart(-10, 0, 0, 0f), false),
                new Recipe("mtl-warm-anchored", "as mtl-warm, and blocks 1-2 frozen until 40% of steps, L2-SP anchor 10"
                        + " (weights settle within ~0.1 of multitask-4's)",
                        true, 1e-4f, new MtlTrainer.WarmStart(-10, 2, -40, 10f), false),
                new Recipe("single-scratch", "one dataset at a time from random initialisation, lr 1e-3 (ablation)",
                        false, 1e-3f, null, true),
                new Recipe("single-warm-anchored", "one dataset at a time, as mtl-warm-anchored (ablation)",
                        true, 1e-4f, new MtlTrainer.WarmStart(-10, 2, -40, 10f), true));
    }

    public static Recipe named(String name) {
        return all().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no recipe " + name + "; known: " + all().stream().map(Recipe::name).toList()));
    }

    /**
     * Trainer settings for a run of {@code steps} steps.
     *
     * @param init the released encoder's weights (used only when {@link #warm})
     * @param validationShare share of groups kept aside to watch the run (0: train on everything)
     */
    public MtlTrainer.Settings settings(int steps, long seed, EncoderWeights init, double validationShare) {
        if (warm && init == null) {
            throw new IllegalArgumentException("recipe " + name + " continues from released weights: give them");
        }
        MtlTrainer.WarmStart w = warmStart;
        if (w != null) { // negative step counts are percentages of the budget
            w = new MtlTrainer.WarmStart(percent(w.headOnlySteps(), steps), w.frozenBlocks(), percent(w.frozenSteps(), steps),
                    w.anchor());
        }
        return new MtlTrainer.Settings(0, BATCH_PER_TASK, learningRate, seed, validationShare, Set.of(),
                Augmenter.Strength.paper(), EncoderArchitecture.paper(), warm ? init : null, w, steps, true,
                HEAD_LEARNING_RATE);
    }

    private static int percent(int value, int steps) {
        return value < 0 ? steps * -value / 100 : value;
    }
}
