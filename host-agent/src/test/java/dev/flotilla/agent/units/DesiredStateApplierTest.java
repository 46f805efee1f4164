package dev.flotilla.agent.units;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.flotilla.api.protocol.DesiredState;
import dev.flotilla.api.protocol.DesiredStateResult;
import dev.flotilla.api.protocol.DesiredUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Names that would lead outside the unit folder, and oversized files, are refused before anything
 * is written. (No systemd is needed for that: nothing valid is asked for. Acting on real units is
 * shown by SystemdHostsTest on real systemd hosts.)
 */
class DesiredStateApplierTest {
    @TempDir
    Path dir;

    @TempDir
    Path state;

    @Test
    void shouldRefusePathTricksAndOversizedFilesAndWriteNothing() throws Exception {
        DesiredStateApplier applier = new DesiredStateApplier(dir.resolve("etc/systemd/system"), state, null);
        Files.createDirectories(dir.resolve("etc/systemd/system"));
        List<DesiredUnit> bad = List.of(
                new DesiredUnit("../x.service", "[Service]\nExecStart=/bin/true\n", "launched"),
                new DesiredUnit("a/b.service", "[Service]\nExecStart=/bin/true\n", "launched"),
                new DesiredUnit("..", "[Service]\n", "launched"),
                new DesiredUnit("/etc/passwd", "[Service]\n", "launched"),
                new DesiredUnit("x".repeat(300) + ".service", "[Service]\n", "launched"),
                new DesiredUnit("big.service", "#" + "x".repeat(70_000), "launched"),
                new DesiredUnit("nul.service", "[Service]\n\0", "launched"));
        DesiredStateResult result = applier.applyNow(new DesiredState(7, bad));
        assertThat(result.generation()).isEqualTo(7);
        assertThat(result.units())
                .hasSize(bad.size())
                .allMatch(r -> !r.ok() && r.error().startsWith("refused"));
        try (var files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
        assertThat(applier.confined("ok.service")).isEqualTo(dir.resolve("etc/systemd/system/ok.service"));
        assertThat(applier.confined("../ok.service")).isNull();
    }
}
