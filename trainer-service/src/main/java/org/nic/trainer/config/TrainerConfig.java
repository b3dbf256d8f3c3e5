package org.nic.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nic.model.TaskKind;
import org.nic.service.trust.HeadTrustConfig;

/**
 * Every setting of the trainer. Keys are {@code nic.*}; environment variables {@code NIC_*}. Object
 * storage is {@link org.nic.service.storage.StorageConfig}, shared by all services. Tasks are declared
 * here: a new task needs configuration, not code.
 */
@ConfigMapping(prefix = "nic")
public interface TrainerConfig {

    /** Slide-level tasks by name, e.g. {@code nic.tasks.proliferation.kind=REGRESSION}. */
    Map<String, Task> tasks();

    /** When and how heads are trained and published. */
    Trainer trainer();

    /** Which heads it trusts as champions to compare against: signed by a trusted key (its own among them). */
    HeadTrustConfig trust();

    interface Task {
        /** REGRESSION, CLASSIFICATION or SURVIVAL. */
        TaskKind kind();

        /** Class names in output order (classification). */
        Optional<List<String>> classes();
    }

    interface Trainer {
        /**
         * The trainer's Ed25519 key (PEM: private and public key, written by {@code nic keys generate}), from a Secret:
         * it signs every head it publishes, and predictors run only heads signed by a key they trust.
         */
        java.nio.file.Path signingKey();

        /** Encoder whose grids heads are trained on. */
        @WithDefault("mtl-nic-v2")
        String encoderId();

        /** How often tasks with new labels are retrained, e.g. {@code 1h} (also after {@code retrain-after-labels}). */
        @WithDefault("1h")
        String schedule();

        /** Retrain a task once this many new labels (with grids) arrived since its last run. */
        @WithDefault("20")
        int retrainAfterLabels();

        /** Share of cases held out to compare heads. */
        @WithDefault("0.3")
        double heldOutShare();

        /**
         * Confidence of the publish gate: a challenger is published only when the one-sided lower bound of
         * its gain over the champion (or a first head's over the trivial baseline) at this level, from a paired
         * bootstrap over the held-out slides, is above zero.
         */
        @WithDefault("0.95")
        double gateLevel();

        /** Bootstrap resamples of the publish gate. */
        @WithDefault("2000")
        int gateResamples();

        /** Fewest held-out slides a comparison may rest on. */
        @WithDefault("5")
        int minHeldOut();

        /**
         * A first head is judged on its held-out slides alone only when at least this many are held out (never fewer
         * than {@code min-held-out}); with fewer, the training slides' out-of-fold outputs judge it too. 0, the default:
         * {@code min-held-out} alone decides, as before. An option, not yet chosen: at 40 labelled slides the split
         * held out 5 to 19 on four cohorts, and 13 could not show the gain of a survival head that scored 1.02 of the
         * true hazard's C-index on the test patients (cohort 2042, docs/results-history.md).
         */
        @WithDefault("0")
        int judgedAloneFrom();

        /** Crop edge in cells (the paper's 400; capped at the largest grid). */
        @WithDefault("400")
        int crop();

        /** Crops averaged per slide at prediction. */
        @WithDefault("10")
        int crops();

        /** Training epochs. */
        @WithDefault("30")
        int epochs();

        /**
         * Fewest optimiser steps of a head, whatever the cohort's size: 30 epochs of 80 slides in batches of 8
         * are 300 steps, too few for the CNN to learn arrangement (docs/heads.md).
         */
        @WithDefault("1000")
        int minSteps();

        /** Crops per step. */
        @WithDefault("8")
        int batchSize();

        /** Adam's initial learning rate. */
        @WithDefault("0.001")
        float learningRate();

        /**
         * How many members the arrangement heads average: each its own k-means cell types and ridge folds, drawn with
         * its own seed, outputs averaged in one ONNX graph, so that the head does not follow one draw (docs/heads.md).
         */
        @WithDefault("5")
        int members();

        /**
         * Whether a head that passed the publish gate is trained again, the same candidate and seed, on every labelled
         * slide (the held-out ones too) before it is published. The gate's figures stay those of the head it judged.
         * Off by default: on the validation cohort it did not raise the 40-slide survival head's mean and its spread over
         * seeds was larger (docs/results-history.md).
         */
        @WithDefault("false")
        boolean refit();

        /** Seed of every training run. */
        @WithDefault("17")
        long seed();
    }
}
