package org.nic.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `nic submit` uploads of a folder (a DICOM series), the id it gives it, and the URI of a slide left in place. */
class SubmitFolderTest {

    @Test
    void aFolderIsItsFilesByNameAndItsIdFollowsTheirBytes(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("level-1.dcm"), "b");
        Files.writeString(dir.resolve("level-0.dcm"), "a");
        Files.writeString(dir.resolve(".DS_Store"), "x");
        Files.createDirectories(dir.resolve("sub"));
        assertThat(NicCli.folderFiles(dir)).extracting(p -> p.getFileName().toString())
                .containsExactly("level-0.dcm", "level-1.dcm");
        String id = NicCli.contentId(NicCli.folderFiles(dir));
        assertThat(id).hasSize(32).isEqualTo(NicCli.contentId(List.of(dir.resolve("level-0.dcm"), dir.resolve("level-1.dcm"))));
        Files.writeString(dir.resolve("level-1.dcm"), "c");
        assertThat(NicCli.contentId(NicCli.folderFiles(dir))).isNotEqualTo(id);
        // One file: the id is that of its bytes, as before.
        assertThat(NicCli.contentId(dir.resolve("level-0.dcm"))).isEqualTo(NicCli.contentId(List.of(dir.resolve("level-0.dcm"))));
    }

    @Test
    void aSlideLeftInPlaceIsNamedByItsAbsoluteFileUriAndAFolderEndsInASlash(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a slide.svs"), "x");
        String uri = NicCli.inPlaceUri(dir.resolve("sub/../a slide.svs"));
        assertThat(uri).startsWith("file:/").endsWith("/a%20slide.svs").doesNotContain("..");
        assertThat(Path.of(java.net.URI.create(uri))).isEqualTo(file.toAbsolutePath());
        assertThat(NicCli.inPlaceUri(dir)).startsWith("file:/").endsWith("/");
    }
}
