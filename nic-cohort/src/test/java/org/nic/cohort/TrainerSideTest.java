package org.nic.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nic.label.HeldOutSplit;

/** {@code nic-cohort evaluate --trainer-held-out}: the training slides a judged head of the live trainer learns from. */
class TrainerSideTest {

    static CohortGenerator.Slide slide(String id, String split) {
        return new CohortGenerator.Slide(id, split, Path.of(id + ".tiff"), 1024, 0.3, SlideLayout.Pattern.COMPACT, 0.0, 10.0,
                true, 100, 0.5, 0.0);
    }

    @Test
    void dropsExactlyTheTrainingSlidesTheTrainersSplitHoldsOutAndKeepsEveryTestSlide() {
        List<CohortGenerator.Slide> slides = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            slides.add(slide("cohort-train-" + i, "train"));
            slides.add(slide("cohort-test-" + i, "test"));
        }
        List<CohortGenerator.Slide> side = CohortCli.Evaluate.trainerSide(slides, 0.3);
        HeldOutSplit trainer = new HeldOutSplit(0.3);
        assertThat(side.stream().filter(x -> x.split().equals("test"))).hasSize(200);
        List<CohortGenerator.Slide> train = side.stream().filter(x -> x.split().equals("train")).toList();
        assertThat(train).allSatisfy(x -> assertThat(trainer.isHeldOut(x.slideId(), x.slideId())).isFalse());
        assertThat(slides.stream().filter(x -> x.split().equals("train") && !trainer.isHeldOut(x.slideId(), x.slideId())))
                .hasSameSizeAs(train);
        assertThat(train.size()).as("about 70% of 200 kept").isBetween(120, 160);
    }
}
