package org.nic.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `nic submit` uploads of a folder (a DICOM series), and the id it gives it. */
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
}
