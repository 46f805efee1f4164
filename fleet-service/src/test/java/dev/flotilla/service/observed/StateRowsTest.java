package dev.flotilla.service.observed;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.flotilla.api.protocol.ContainerState;
import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.StateChange;
import dev.flotilla.api.protocol.StateChanges;
import dev.flotilla.api.protocol.StateSnapshot;
import dev.flotilla.api.protocol.UnitState;
import dev.flotilla.service.machine.MachineRef;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The batch's rows, without a database. The model test replays random frames against an in-memory
 * table twice: statement by statement per frame, as the writer did before (each upsert and removal
 * guarded by the stored seq), and row by row as {@link StateRows} hands them to the multi-row
 * statements; both must leave the same rows.
 */
class StateRowsTest {
    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    private static final MachineRef A = new MachineRef(new UUID(0, 1), "aa");
    private static final MachineRef B = new MachineRef(new UUID(0, 1), "bb");
    private static final MachineRef C = new MachineRef(new UUID(0, 2), "aa");

    @Test
    void shouldKeepTheNewestReportOfAUnitWithinAFrame() {
        StateRows rows = StateRows.of(
                List.of(A),
                List.of(changes(
                        StateChange.of(1, T0, unit("web.service", "start")),
                        StateChange.of(2, T0, unit("web.service", "running")),
                        StateChange.of(3, T0, unit("db.service", "running")))));
        assertThat(rows.units())
                .extracting(u -> u.unit().name() + "@" + u.seq())
                .containsExactly("db.service@3", "web.service@2");
        assertThat(rows.unitEvents).hasSize(3);
        assertThat(rows.unitRemovals()).isEmpty();
    }

    @Test
    void shouldRemoveAUnitOnceAtTheHighestSeqAfterTheFramesUpserts() {
        StateRows rows = StateRows.of(
                List.of(A),
                List.of(changes(
                        StateChange.of(1, T0, unit("web.service", "running")),
                        StateChange.removal(2, T0, unit("web.service", "dead")),
                        StateChange.of(3, T0, unit("web.service", "running")),
                        StateChange.removal(4, T0, unit("web.service", "dead")))));
        // Upserts run before removals, as each frame's did: stored at 3, then removed by seq 4.
        assertThat(rows.units()).extracting(StateRows.Unit::seq).containsExactly(3L);
        assertThat(rows.unitRemovals()).extracting(StateRows.Removal::seq).containsExactly(4L);
    }

    @Test
    void shouldWriteGapsAndContainersToTheirOwnHistory() {
        String id = "0123456789ab";
        StateRows rows = StateRows.of(
                List.of(A),
                List.of(changes(
                        StateChange.gap(1, T0, 7),
                        StateChange.of(2, T0, container(id, "running")),
                        StateChange.removal(3, T0, container(id, "exited")))));
        assertThat(rows.unitEvents).extracting(e -> e.change().dropped()).containsExactly(7L);
        assertThat(rows.units()).isEmpty();
        assertThat(rows.containerEvents).hasSize(2);
        assertThat(rows.containers()).extracting(StateRows.Container::seq).containsExactly(2L);
        assertThat(rows.containerRemovals()).extracting(StateRows.Removal::seq).containsExactly(3L);
    }

    @Test
    void shouldListWhatASnapshotKeepsAndLeaveContainersAloneWithoutAnEngine() {
        StateRows rows = StateRows.of(
                List.of(A, B),
                List.of(
                        new StateSnapshot(9, T0, List.of(unit("a.service", "running"), unit("b.service", "dead"))),
                        new StateSnapshot(4, T0, List.of(), List.of())));
        assertThat(rows.unitSnapshots).extracting(StateRows.Snapshot::seq).containsExactly(9L, 4L);
        assertThat(rows.unitSnapshots.get(0).listed()).containsExactly("a.service", "b.service");
        assertThat(rows.units()).extracting(StateRows.Unit::seq).containsExactly(9L, 9L);
        // B's engine has no containers left: all up to seq 4 go. A has no engine: nothing goes.
        assertThat(rows.containerSnapshots)
                .extracting(StateRows.Snapshot::machine)
                .containsExactly(B);
        assertThat(rows.containerSnapshots.get(0).listed()).isEmpty();
    }

    @Test
    void shouldSortRowsByOrganizationMachineAndName() {
        StateRows rows = StateRows.of(
                List.of(A, B, C),
                List.of(
                        changes(StateChange.of(1, T0, unit("z.service", "running"))),
                        changes(StateChange.of(1, T0, unit("a.service", "running"))),
                        changes(
                                StateChange.of(1, T0, unit("b.service", "running")),
                                StateChange.of(2, T0, unit("a.service", "running")))));
        assertThat(rows.units())
                .extracting(u -> u.machine().orgId().getLeastSignificantBits() + "/"
                        + u.machine().machineId() + "/" + u.unit().name())
                .containsExactly("1/aa/z.service", "1/bb/a.service", "2/aa/a.service", "2/aa/b.service");
    }

    @Test
    void shouldPutAMachinesSecondFrameInTheNextRound() {
        List<MachineRef> batch = List.of(A, A, B, C, C, C);
        assertThat(StateRows.rounds(batch, m -> m)).containsExactly(List.of(A, B, C), List.of(A, C), List.of(C));
        assertThatThrownBy(() -> StateRows.of(List.of(A, A), List.of(changes(), changes())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldAcknowledgeTheHighestSeqOfAFrame() {
        assertThat(StateRows.acknowledged(
                        changes(StateChange.of(4, T0, unit("a.service", "running")), StateChange.gap(6, T0, 1))))
                .isEqualTo(6);
        assertThat(StateRows.acknowledged(changes())).isZero();
        assertThat(StateRows.acknowledged(new StateSnapshot(12, T0, List.of()))).isEqualTo(12);
    }

    @Test
    void shouldRoundTimesToMicrosecondsAsTheDriverDoes() {
        assertThat(StateStatements.micros(Instant.parse("2026-11-20T10:00:00.000000499Z")))
                .isEqualTo(Instant.parse("2026-11-20T10:00:00Z"));
        assertThat(StateStatements.micros(Instant.parse("2026-11-20T10:00:00.999999500Z")))
                .isEqualTo(Instant.parse("2026-11-20T10:00:01Z"));
    }

    @Test
    void shouldLeaveTheSameRowsAsFrameByFrameStatements() {
        Random random = new Random(20);
        List<MachineRef> machines = List.of(A, B, C);
        for (int run = 0; run < 3000; run++) {
            Map<String, Row> stored = new TreeMap<>();
            for (MachineRef m : machines) {
                for (String name : NAMES) {
                    if (random.nextBoolean()) {
                        stored.put(key(m, name), new Row(random.nextInt(12), "stored"));
                    }
                }
            }
            List<MachineRef> order = new ArrayList<>();
            List<Frame> frames = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(5); i < n; i++) {
                order.add(machines.get(random.nextInt(machines.size())));
                frames.add(randomFrame(random));
            }
            // The writer sorts by machine, keeping each machine's frames in the order received.
            List<Integer> sorted = new ArrayList<>();
            for (int i = 0; i < order.size(); i++) {
                sorted.add(i);
            }
            sorted.sort((x, y) -> StateRows.MACHINE_ORDER.compare(order.get(x), order.get(y)));

            Map<String, Row> before = new TreeMap<>(stored);
            for (int i : sorted) {
                frameByFrame(before, order.get(i), frames.get(i));
            }
            Map<String, Row> batched = new TreeMap<>(stored);
            for (List<Integer> round : StateRows.rounds(sorted, order::get)) {
                StateRows rows = new StateRows();
                round.forEach(i -> rows.add(order.get(i), frames.get(i)));
                apply(batched, rows);
            }
            assertThat(batched).as("run %d: %s on %s", run, frames, order).isEqualTo(before);
        }
    }

    private static final List<String> NAMES = List.of("a.service", "b.service", "c.service");
    private static final List<String> IDS = List.of("0123456789aa", "0123456789bb");

    private record Row(long seq, String value) {}

    private static Frame randomFrame(Random random) {
        if (random.nextInt(4) == 0) {
            List<UnitState> units = new ArrayList<>();
            for (String name : NAMES) {
                if (random.nextBoolean()) {
                    units.add(unit(name, "snap" + random.nextInt(3)));
                }
            }
            List<ContainerState> containers = null;
            if (random.nextBoolean()) {
                containers = new ArrayList<>();
                for (String id : IDS) {
                    if (random.nextBoolean()) {
                        containers.add(container(id, "snap" + random.nextInt(3)));
                    }
                }
            }
            return new StateSnapshot(random.nextInt(14), T0, units, containers);
        }
        List<StateChange> changes = new ArrayList<>();
        long seq = random.nextInt(10);
        for (int i = 0, n = random.nextInt(6); i < n; i++) {
            seq += 1 + random.nextInt(2);
            boolean removed = random.nextInt(3) == 0;
            String value = "v" + random.nextInt(3);
            switch (random.nextInt(5)) {
                case 0 -> changes.add(StateChange.gap(seq, T0, 1));
                case 1 -> {
                    ContainerState k = container(IDS.get(random.nextInt(IDS.size())), value);
                    changes.add(removed ? StateChange.removal(seq, T0, k) : StateChange.of(seq, T0, k));
                }
                default -> {
                    UnitState u = unit(NAMES.get(random.nextInt(NAMES.size())), value);
                    changes.add(removed ? StateChange.removal(seq, T0, u) : StateChange.of(seq, T0, u));
                }
            }
        }
        return new StateChanges(changes);
    }

    /** The statements as the writer issued them before: per frame, upserts first, then removals. */
    private static void frameByFrame(Map<String, Row> table, MachineRef m, Frame frame) {
        if (frame instanceof StateSnapshot s) {
            Set<String> listed = new HashSet<>();
            for (UnitState u : s.units()) {
                upsert(table, key(m, u.name()), new Row(s.seq(), u.sub()));
                listed.add(key(m, u.name()));
            }
            deleteNotListed(table, key(m, ""), s.seq(), listed);
            if (s.containers() != null) {
                listed.clear();
                for (ContainerState k : s.containers()) {
                    upsert(table, key(m, "k/" + k.id()), new Row(s.seq(), k.state()));
                    listed.add(key(m, "k/" + k.id()));
                }
                deleteNotListed(table, key(m, "k/"), s.seq(), listed);
            }
            return;
        }
        List<StateChange> changes = ((StateChanges) frame).changes();
        for (boolean containers : new boolean[] {false, true}) {
            for (StateChange ch : changes) {
                if (!ch.isGap() && !ch.removed() && (ch.container() != null) == containers) {
                    upsert(table, key(m, ch), new Row(ch.seq(), value(ch)));
                }
            }
            for (StateChange ch : changes) {
                if (!ch.isGap() && ch.removed() && (ch.container() != null) == containers) {
                    delete(table, key(m, ch), ch.seq());
                }
            }
        }
    }

    /** The rows as the multi-row statements apply them, in {@link StateStatements}' order. */
    private static void apply(Map<String, Row> table, StateRows rows) {
        rows.units()
                .forEach(u -> upsert(
                        table,
                        key(u.machine(), u.unit().name()),
                        new Row(u.seq(), u.unit().sub())));
        rows.unitRemovals().forEach(r -> delete(table, key(r.machine(), r.name()), r.seq()));
        for (StateRows.Snapshot s : rows.unitSnapshots) {
            Set<String> listed = new HashSet<>();
            s.listed().forEach(name -> listed.add(key(s.machine(), name)));
            deleteNotListed(table, key(s.machine(), ""), s.seq(), listed);
        }
        rows.containers()
                .forEach(k -> upsert(
                        table,
                        key(k.machine(), "k/" + k.container().id()),
                        new Row(k.seq(), k.container().state())));
        rows.containerRemovals().forEach(r -> delete(table, key(r.machine(), "k/" + r.name()), r.seq()));
        for (StateRows.Snapshot s : rows.containerSnapshots) {
            Set<String> listed = new HashSet<>();
            s.listed().forEach(id -> listed.add(key(s.machine(), "k/" + id)));
            deleteNotListed(table, key(s.machine(), "k/"), s.seq(), listed);
        }
    }

    private static void upsert(Map<String, Row> table, String key, Row row) {
        Row old = table.get(key);
        if (old == null || old.seq() <= row.seq()) {
            table.put(key, row);
        }
    }

    private static void delete(Map<String, Row> table, String key, long seq) {
        Row old = table.get(key);
        if (old != null && old.seq() <= seq) {
            table.remove(key);
        }
    }

    /** Units are keyed {@code machine|name}, containers {@code machine|k/id}: a prefix picks one kind. */
    private static void deleteNotListed(Map<String, Row> table, String prefix, long seq, Set<String> listed) {
        boolean units = !prefix.endsWith("k/");
        table.entrySet()
                .removeIf(e -> e.getKey().startsWith(prefix)
                        && (units ? !e.getKey().substring(prefix.length()).startsWith("k/") : true)
                        && e.getValue().seq() <= seq
                        && !listed.contains(e.getKey()));
    }

    private static String key(MachineRef m, StateChange ch) {
        return ch.container() != null
                ? key(m, "k/" + ch.container().id())
                : key(m, ch.unit().name());
    }

    private static String value(StateChange ch) {
        return ch.container() != null ? ch.container().state() : ch.unit().sub();
    }

    private static String key(MachineRef m, String name) {
        return m.orgId() + "|" + m.machineId() + "|" + name;
    }

    private static StateChanges changes(StateChange... changes) {
        return new StateChanges(List.of(changes));
    }

    private static UnitState unit(String name, String sub) {
        return new UnitState(name, "loaded", "active", sub, null, null, null, false);
    }

    private static ContainerState container(String id, String state) {
        return new ContainerState(id, "web", "nginx:1", state, null, null, null, null, Map.of());
    }
}
