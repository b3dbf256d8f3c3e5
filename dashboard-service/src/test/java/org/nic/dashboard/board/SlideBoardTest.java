package org.nic.dashboard.board;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.nic.event.EventJson;
import org.nic.event.Topics;

class SlideBoardTest {

    static JsonNode json(String s) throws Exception {
        return EventJson.mapper().readTree(s.replace('\'', '"'));
    }

    @Test
    void aSlideMovesThroughItsStagesEvenWhenTopicsArriveOutOfOrder() throws Exception {
        SlideBoard board = new SlideBoard(10);
        board.apply(Topics.SLIDE_ARRIVED, "s1", 1000, json("{'slideId':'s1','uri':'file:/a.svs','caseId':'C-1'}"), null);
        board.apply(Topics.SLIDE_TILED, "s1", 2000, json("{'slideId':'s1','rows':4,'cols':5,'tissueCells':12,'spacing':0.5}"), null);
        // encoded (t=4000) read before the last progress report (t=3000): the stage stays encoded
        board.apply(Topics.SLIDE_ENCODED, "s1", 4000, json("{'slideId':'s1','encoderId':'e1','tissueCells':12,'reused':false}"), null);
        var view = board.apply(Topics.SLIDE_PROGRESS, "s1", 3000, json("{'slideId':'s1','stage':'encoding','done':6,'total':12}"), null)
                .orElseThrow();
        assertThat(view.stage()).isEqualTo(SlideBoard.Stage.ENCODED);
        assertThat(view.progress().done()).isEqualTo(12);
        assertThat(view.caseId()).isEqualTo("C-1");
        view = board.apply(Topics.SLIDE_PREDICTED, "s1", 6500, json("{'slideId':'s1','encoderId':'e1','latencyMillis':40,"
                + "'predictions':[{'task':'score','kind':'REGRESSION','headVersion':'v1','value':0.25}]}"), null).orElseThrow();
        assertThat(view.stage()).isEqualTo(SlideBoard.Stage.PREDICTED);
        assertThat(view.predictions()).singleElement().satisfies(p -> assertThat(p.value()).isEqualTo(0.25));
        assertThat(view.totalMillis()).isEqualTo(5500);
        assertThat(view.latencyMillis()).isEqualTo(40);

        // sent again: a new run starts at arrived, and keeps the last predictions until new ones come
        view = board.apply(Topics.SLIDE_ARRIVED, "s1", 9000, json("{'slideId':'s1','uri':'file:/a.svs'}"), null).orElseThrow();
        assertThat(view.stage()).isEqualTo(SlideBoard.Stage.ARRIVED);
        assertThat(view.arrivals()).isEqualTo(2);
        assertThat(view.predictions()).hasSize(1);
    }

    @Test
    void anAttemptThatNicRetriesIsListedButDoesNotFailTheSlide() throws Exception {
        SlideBoard board = new SlideBoard(10);
        board.apply(Topics.SLIDE_TILED, "r1", 1000, json("{'slideId':'r1','rows':4,'cols':5,'tissueCells':12}"), null);
        var view = board.apply(Topics.SLIDE_FAILED, "r1", 2000, json("{'slideId':'r1','stage':'encoding',"
                + "'reason':'STORAGE_UNAVAILABLE','message':'down','retriable':true,'attempt':1,'retrying':true}"), null)
                .orElseThrow();
        assertThat(view.stage()).isEqualTo(SlideBoard.Stage.TILED);
        assertThat(view.failures()).singleElement().satisfies(f -> {
            assertThat(f.attempt()).isEqualTo(1);
            assertThat(f.retrying()).isTrue();
        });
        view = board.apply(Topics.SLIDE_FAILED, "r1", 3000, json("{'slideId':'r1','stage':'encoding',"
                + "'reason':'STORAGE_UNAVAILABLE','message':'still down','retriable':true,'attempt':4,'retrying':false}"), null)
                .orElseThrow();
        assertThat(view.stage()).as("the last attempt fails it").isEqualTo(SlideBoard.Stage.FAILED);
        assertThat(view.failures()).hasSize(2);
    }

    @Test
    void failuresAndDeadLettersAreKeptAsTheyWereWritten() throws Exception {
        SlideBoard board = new SlideBoard(10);
        String hostile = "<img src=x onerror=alert(1)>";
        var view = board.apply(Topics.SLIDE_FAILED, hostile, 10, json("{'slideId':'" + hostile + "','stage':'tiling',"
                + "'reason':'UNSUPPORTED_FORMAT','message':'<script>x()</script>','retriable':false}"), null).orElseThrow();
        assertThat(view.slideId()).isEqualTo(hostile);
        assertThat(view.idUsable()).isFalse();
        assertThat(view.failures()).singleElement().satisfies(f -> assertThat(f.message()).isEqualTo("<script>x()</script>"));
        board.apply(Topics.deadLetters(Topics.SLIDE_ARRIVED), "k", 11, null, "no slide id");
        board.apply(Topics.deadLetters(Topics.SLIDE_ARRIVED), "k2", 12, json("{}"), "schema");
        assertThat(board.deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.count()).isEqualTo(2);
            assertThat(d.lastReason()).isEqualTo("schema");
        });
        assertThat(board.apply(Topics.SLIDE_TILED, null, 13, json("{'rows':1}"), null)).isEmpty();
        assertThat(board.size()).isEqualTo(1);
    }

    @Test
    void pagesAreFilteredByCaseTaskAndStageAndTheOldestSlidesAreForgotten() throws Exception {
        SlideBoard board = new SlideBoard(100);
        for (int i = 0; i < 120; i++) {
            board.apply(Topics.SLIDE_ARRIVED, "s" + i, i, json("{'slideId':'s" + i + "','caseId':'case-" + (i % 3) + "'}"), null);
        }
        assertThat(board.size()).isEqualTo(100);
        assertThat(board.slide("s19")).isEmpty();
        assertThat(board.slide("s20")).isPresent();
        board.apply(Topics.SLIDE_PREDICTED, "s20", 500, json("{'slideId':'s20','predictions':[{'task':'growth','kind':"
                + "'CLASSIFICATION','headVersion':'c1','probabilities':{'a':0.2,'b':0.8}}]}"), null);
        SlideBoard.Page first = board.page(null, null, null, 0, 50);
        assertThat(first.total()).isEqualTo(100);
        assertThat(first.slides()).hasSize(50);
        assertThat(first.slides().get(0).slideId()).as("most recently updated first").isEqualTo("s20");
        assertThat(board.page(null, null, null, 1, 50).slides().get(49).slideId()).isEqualTo("s21");
        assertThat(board.page("CASE-1", null, null, 0, 200).slides()).allSatisfy(s -> assertThat(s.caseId()).isEqualTo("case-1"));
        assertThat(board.page(null, "growth", null, 0, 50).slides()).extracting(SlideBoard.SlideView::slideId).containsExactly("s20");
        assertThat(board.page(null, null, SlideBoard.Stage.PREDICTED, 0, 50).total()).isEqualTo(1);
        assertThat(board.tasks()).containsExactly("growth");
    }

    @Test
    void theModelBoardKeepsTheActiveHeadAndTheHistoryNewestFirst() throws Exception {
        ModelBoard models = new ModelBoard(2);
        models.apply(Topics.MODEL_DECIDED, 1, json("{'task':'t','encoderId':'e','decision':'PUBLISHED','headVersion':'v1','by':'trainer'}"));
        models.apply(Topics.MODEL_PUBLISHED, 2, json("{'task':'t','encoderId':'e','kind':'REGRESSION','headVersion':'v1',"
                + "'heldOutMetric':0.8,'sha256':'ab','modelUri':'s3://b/m','cardUri':'s3://b/c'}"));
        models.apply(Topics.MODEL_DECIDED, 3, json("{'task':'t','encoderId':'e','decision':'REFUSED','reason':'no gain','by':'trainer'}"));
        models.apply(Topics.MODEL_DECIDED, 4, json("{'task':'t','encoderId':'e','decision':'PINNED','headVersion':'v1','by':'ana'}"));
        assertThat(models.heads()).singleElement().satisfies(h -> {
            assertThat(h.active().headVersion()).isEqualTo("v1");
            assertThat(h.kind()).isEqualTo("REGRESSION");
            assertThat(h.history()).extracting(ModelBoard.Decision::decision).containsExactly("PINNED", "REFUSED");
        });
        assertThat(models.active("t", "e").modelUri()).isEqualTo("s3://b/m");
        assertThat(models.apply(Topics.MODEL_PUBLISHED, 5, json("{'task':'t'}"))).isFalse();
    }
}
