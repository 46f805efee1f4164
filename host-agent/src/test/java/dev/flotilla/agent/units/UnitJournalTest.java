package dev.flotilla.agent.units;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.flotilla.api.protocol.UnitChange;
import dev.flotilla.api.protocol.UnitState;

import static org.assertj.core.api.Assertions.assertThat;

class UnitJournalTest {
    @TempDir
    Path state;

    private static UnitState unit(String name, String active) {
        return new UnitState(
                name, "loaded", active, active.equals("active") ? "running" : "dead", null, null, null, false);
    }

    private static long accounted(List<UnitChange> pending) {
        return pending.stream().mapToLong(c -> c.isGap() ? c.dropped() : 1).sum();
    }

    @Test
    void shouldKeepUnacknowledgedChangesAcrossARestartWithIncreasingSequenceNumbers() {
        UnitJournal j = new UnitJournal(state, 100, 1 << 20);
        Instant t = Instant.parse("2026-11-29T10:00:00Z");
        j.record(unit("a.service", "active"), false, t);
        j.record(unit("b.service", "active"), false, t.plusSeconds(1));
        j.record(unit("a.service", "inactive"), false, t.plusSeconds(2));
        j.acknowledge(1);
        j.close();

        UnitJournal again = new UnitJournal(state, 100, 1 << 20);
        assertThat(again.pending()).extracting(UnitChange::seq).containsExactly(2L, 3L);
        assertThat(again.pending().get(1).observedAt()).isEqualTo(t.plusSeconds(2));
        assertThat(again.record(unit("c.service", "active"), false, t).seq()).isEqualTo(4);
        again.acknowledge(4);
        again.close();
        UnitJournal third = new UnitJournal(state, 100, 1 << 20);
        assertThat(third.pending()).isEmpty();
        assertThat(third.nextSeq()).isEqualTo(5);
    }

    @Test
    void shouldFoldTheOldestIntoAGapWhenFullAndNeverDropSilently() {
        UnitJournal j = new UnitJournal(state, 50, 1 << 20);
        for (int i = 0; i < 1000; i++) {
            j.record(unit("u" + (i % 7) + ".service", i % 2 == 0 ? "active" : "inactive"), false, Instant.now());
        }
        List<UnitChange> pending = j.pending();
        assertThat(pending.size()).isLessThanOrEqualTo(50);
        assertThat(pending.get(0).isGap()).isTrue();
        assertThat(pending.stream().filter(UnitChange::isGap)).hasSize(1);
        assertThat(accounted(pending)).isEqualTo(1000);
        assertThat(pending).extracting(UnitChange::seq).isSorted().doesNotHaveDuplicates();
        assertThat(pending.get(pending.size() - 1).seq()).isEqualTo(1000);
        j.close();
        assertThat(accounted(new UnitJournal(state, 50, 1 << 20).pending())).isEqualTo(1000);
    }

    @Test
    void shouldHonourTheSizeLimitToo() {
        UnitJournal j = new UnitJournal(state, 100_000, 4096);
        for (int i = 0; i < 500; i++) {
            j.record(unit("some-rather-long-unit-name-" + i + ".service", "active"), false, Instant.now());
        }
        assertThat(Files.exists(state.resolve("unit-journal.jsonl"))).isTrue();
        assertThat(accounted(j.pending())).isEqualTo(500);
        assertThat(j.pending().size()).isLessThan(100);
    }

    @Test
    void shouldTurnALineCutShortByACrashIntoAGap() throws Exception {
        UnitJournal j = new UnitJournal(state, 100, 1 << 20);
        j.record(unit("a.service", "active"), false, Instant.now());
        j.record(unit("b.service", "active"), false, Instant.now());
        j.close();
        Files.writeString(
                state.resolve("unit-journal.jsonl"),
                "{\"seq\":3,\"observedAt\":\"20",
                StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        UnitJournal again = new UnitJournal(state, 100, 1 << 20);
        List<UnitChange> pending = again.pending();
        assertThat(pending).hasSize(3);
        assertThat(pending.get(2).isGap()).isTrue();
        assertThat(pending.get(2).dropped()).isEqualTo(1);
        assertThat(pending).extracting(UnitChange::seq).isSorted().doesNotHaveDuplicates();
    }
}
