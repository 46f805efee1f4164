package dev.flotilla.agent;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.flotilla.api.protocol.StateChange;
import dev.flotilla.api.protocol.UnitState;

import static org.assertj.core.api.Assertions.assertThat;

class StateJournalTest {
    @TempDir
    Path state;

    private static UnitState unit(String name, String active) {
        return new UnitState(
                name, "loaded", active, active.equals("active") ? "running" : "dead", null, null, null, false);
    }

    private static long accounted(List<StateChange> pending) {
        return pending.stream().mapToLong(c -> c.isGap() ? c.dropped() : 1).sum();
    }

    @Test
    void shouldKeepUnacknowledgedChangesAcrossARestartWithIncreasingSequenceNumbers() {
        StateJournal j = new StateJournal(state, 100, 1 << 20);
        Instant t = Instant.parse("2026-11-29T10:00:00Z");
        record(j, unit("a.service", "active"), t);
        record(j, unit("b.service", "active"), t.plusSeconds(1));
        record(j, unit("a.service", "inactive"), t.plusSeconds(2));
        j.acknowledge(1);
        j.close();

        StateJournal again = new StateJournal(state, 100, 1 << 20);
        assertThat(again.pending()).extracting(StateChange::seq).containsExactly(2L, 3L);
        assertThat(again.pending().get(1).observedAt()).isEqualTo(t.plusSeconds(2));
        assertThat(record(again, unit("c.service", "active"), t).seq()).isEqualTo(4);
        again.acknowledge(4);
        again.close();
        StateJournal third = new StateJournal(state, 100, 1 << 20);
        assertThat(third.pending()).isEmpty();
        assertThat(third.nextSeq()).isEqualTo(5);
    }

    @Test
    void shouldFoldTheOldestIntoAGapWhenFullAndNeverDropSilently() {
        StateJournal j = new StateJournal(state, 50, 1 << 20);
        for (int i = 0; i < 1000; i++) {
            record(j, unit("u" + (i % 7) + ".service", i % 2 == 0 ? "active" : "inactive"), Instant.now());
        }
        List<StateChange> pending = j.pending();
        assertThat(pending.size()).isLessThanOrEqualTo(50);
        assertThat(pending.get(0).isGap()).isTrue();
        assertThat(pending.stream().filter(StateChange::isGap)).hasSize(1);
        assertThat(accounted(pending)).isEqualTo(1000);
        assertThat(pending).extracting(StateChange::seq).isSorted().doesNotHaveDuplicates();
        assertThat(pending.get(pending.size() - 1).seq()).isEqualTo(1000);
        j.close();
        assertThat(accounted(new StateJournal(state, 50, 1 << 20).pending())).isEqualTo(1000);
    }

    @Test
    void shouldHonourTheSizeLimitToo() {
        StateJournal j = new StateJournal(state, 100_000, 4096);
        for (int i = 0; i < 500; i++) {
            record(j, unit("some-rather-long-unit-name-" + i + ".service", "active"), Instant.now());
        }
        assertThat(Files.exists(state.resolve("state-journal.jsonl"))).isTrue();
        assertThat(accounted(j.pending())).isEqualTo(500);
        assertThat(j.pending().size()).isLessThan(100);
    }

    @Test
    void shouldTurnALineCutShortByACrashIntoAGap() throws Exception {
        StateJournal j = new StateJournal(state, 100, 1 << 20);
        record(j, unit("a.service", "active"), Instant.now());
        record(j, unit("b.service", "active"), Instant.now());
        j.close();
        Files.writeString(
                state.resolve("state-journal.jsonl"),
                "{\"seq\":3,\"observedAt\":\"20",
                StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        StateJournal again = new StateJournal(state, 100, 1 << 20);
        List<StateChange> pending = again.pending();
        assertThat(pending).hasSize(3);
        assertThat(pending.get(2).isGap()).isTrue();
        assertThat(pending.get(2).dropped()).isEqualTo(1);
        assertThat(pending).extracting(StateChange::seq).isSorted().doesNotHaveDuplicates();
    }

    private static StateChange record(StateJournal journal, UnitState unit, Instant at) {
        return journal.record(seq -> StateChange.of(seq, at, unit));
    }
}
