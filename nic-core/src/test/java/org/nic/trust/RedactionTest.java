package org.nic.trust;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Text for people names slide ids, never the slide's file, case, paths or buckets. */
class RedactionTest {

    @Test
    void theSlidesUriFileNameAndCaseIdBecomePlaceholders() {
        String uri = "file:/data/scans/Smith%20John%202024.svs";
        String text = "no slide file at " + uri + " (Smith John 2024.svs, case PAT-0042)";
        String out = Redaction.of(text, uri, "PAT-0042");
        assertThat(out).isEqualTo("no slide file at <slide URI> (<slide file>, case <case id>)");
    }

    @Test
    void otherUrisAndAbsolutePathsAreRemovedWhateverTheyName() {
        String out = Redaction.of("file:/mnt/x/a.svs is not under an allowed root [/mnt/slides, /srv/lab]; read "
                + "s3://slides/abc/Doe.ndpi failed: NoSuchKey; cannot open '/tmp/cache/Doe.ndpi'", null, null);
        assertThat(out).doesNotContain("/mnt", "/srv", "Doe", "slides/abc", "/tmp")
                .contains("<file URI>", "<object URI>", "<path>", "NoSuchKey", "not under an allowed root");
    }

    @Test
    void slideIdsNumbersAndRatiosStay() {
        String out = Redaction.of("slide 3f9a-77 failed: 12/40 cells, 0.5 um/px", "s3://slides/3f9a-77/x.svs", null);
        assertThat(out).isEqualTo("slide 3f9a-77 failed: 12/40 cells, 0.5 um/px");
    }

    @Test
    void anExceptionKeepsItsClassAndStackButNotItsPaths() {
        IllegalStateException cause = new IllegalStateException("cannot read /data/Doe.svs");
        RuntimeException e = new RuntimeException("tiling case PAT-1 failed", cause);
        Throwable r = Redaction.of(e, "file:/data/Doe.svs", "PAT-1");
        assertThat(r.getMessage()).isEqualTo("java.lang.RuntimeException: tiling case <case id> failed");
        assertThat(r.getCause().getMessage()).doesNotContain("Doe", "/data").startsWith("java.lang.IllegalStateException");
        assertThat(r.getStackTrace()).isEqualTo(e.getStackTrace());
    }
}
