package dev.flotilla.agent;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.flotilla.api.protocol.StateChange;
import dev.flotilla.api.protocol.UnitState;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The agent's state files, each cut short as a crash (or a full disk) could: the agent still
 * starts, and loses nothing it can keep. The files are written atomically (a temporary file,
 * forced, renamed), so a cut file can only come from a damaged disk; the credential's secret is
 * then gone, and the agent says what to do instead of failing obscurely.
 */
class StateFilesTest {
    @TempDir
    Path state;

    private static StateChange change(long seq) {
        return StateChange.of(
                seq,
                Instant.now(),
                new UnitState("u" + seq + ".service", "loaded", "active", "running", null, null, null, false));
    }

    private StateJournal journalWithFiveAndThreeAcknowledged() {
        StateJournal journal = new StateJournal(state, 100, 1 << 20);
        for (int i = 0; i < 5; i++) {
            journal.record(StateFilesTest::change);
        }
        journal.acknowledge(3);
        journal.close();
        return journal;
    }

    @Test
    void shouldStartWithEveryUnacknowledgedTransitionWhenTheAcknowledgementFileIsCut() throws Exception {
        journalWithFiveAndThreeAcknowledged();
        Path ack = state.resolve("state-journal.acked");
        assertThat(Files.readString(ack)).isEqualTo("3");
        for (String cut : new String[] {"", " ", "\0"}) {
            Files.writeString(ack, cut);
            StateJournal again = new StateJournal(state, 100, 1 << 20);
            // Nothing it still holds is lost; the service drops what it already stored.
            assertThat(again.pending()).extracting(StateChange::seq).contains(4L, 5L);
            assertThat(again.seq()).isGreaterThanOrEqualTo(5);
            again.close();
        }
    }

    @Test
    void shouldKeepWholeLinesAndCountACutOneWhenTheJournalIsCut() throws Exception {
        journalWithFiveAndThreeAcknowledged();
        Path file = state.resolve("state-journal.jsonl");
        String content = Files.readString(file);
        Files.writeString(file, content.substring(0, content.length() - 10)); // the last line cut short
        StateJournal again = new StateJournal(state, 100, 1 << 20);
        assertThat(again.pending()).extracting(StateChange::seq).startsWith(4L);
        assertThat(again.pending()).anyMatch(c -> c.dropped() == 1); // the cut line, counted as a gap
        again.close();
        Files.writeString(file, "");
        new StateJournal(state, 100, 1 << 20).close();
    }

    @Test
    void shouldWriteStateFilesWholeAndPrivate() throws Exception {
        Path file = state.resolve("credential.json");
        AtomicFiles.write(
                file, "{\"machineId\":\"m\",\"credential\":\"c\",\"url\":\"u\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(state.resolve("credential.json.tmp")).doesNotExist();
        assertThat(Credentials.load(state))
                .hasValueSatisfying(s -> assertThat(s.credential()).isEqualTo("c"));
    }

    @Test
    void shouldSayWhatToDoWhenTheCredentialIsCut() throws Exception {
        String whole = "{\"machineId\":\"0123\",\"credential\":\"flm_secret\",\"url\":\"https://fleet\"}";
        for (String cut : new String[] {"", whole.substring(0, 20), "{}"}) {
            Files.writeString(state.resolve("credential.json"), cut);
            assertThatThrownBy(() -> Credentials.load(state))
                    .as("'%s'", cut)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is damaged")
                    .hasMessageContaining("enroll again");
        }
    }
}
