package dev.flotilla.service.observed;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

import dev.flotilla.api.protocol.ContainerState;
import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.StateChange;
import dev.flotilla.api.protocol.StateChanges;
import dev.flotilla.api.protocol.StateSnapshot;
import dev.flotilla.api.protocol.UnitState;
import dev.flotilla.service.machine.MachineRef;

/**
 * What one round of a batch of agent frames writes, row by row for each of the writer's
 * statements ({@link StateStatements} sends each list as one multi-row statement). No database:
 * the decisions are here.
 *
 * <p>A round holds at most one frame per machine ({@link #rounds}), so its rows never touch
 * another frame's, and its upserts run before its removals as each frame's did. Within a frame,
 * several reports of one unit (or container) become one row, the one whose effect the per-report
 * statements had (each is conditional on the stored sequence number, so the newest wins; of equal
 * ones, the later): a multi-row upsert may not touch a row twice. Rows are sorted by organization,
 * machine and name, so concurrent writers lock them in one order.
 */
final class StateRows {
    /** A history row: a unit's transition or a gap (in {@code unit_event}), or a container's. */
    record Event(MachineRef machine, StateChange change) {}

    /** A unit's current state, stored unless a newer report is. */
    record Unit(MachineRef machine, long seq, Instant observedAt, UnitState unit) {}

    /** A container's current state, stored unless a newer report is. */
    record Container(MachineRef machine, long seq, Instant observedAt, ContainerState container) {}

    /** A unit (by name) or container (by id) removed, unless a newer report is stored. */
    record Removal(MachineRef machine, String name, long seq) {}

    /**
     * A snapshot: the machine's units (or containers) up to {@code seq} that it does not list
     * (unit names or container ids, each once) are gone.
     */
    record Snapshot(MachineRef machine, long seq, List<String> listed) {}

    private record Key(UUID orgId, String machineId, String name) {}

    private static final Comparator<Key> KEY_ORDER =
            Comparator.comparing(Key::orgId).thenComparing(Key::machineId).thenComparing(Key::name);

    /** The machine order the writer locks in, everywhere. */
    static final Comparator<MachineRef> MACHINE_ORDER =
            Comparator.comparing(MachineRef::orgId).thenComparing(MachineRef::machineId);

    final List<Event> unitEvents = new ArrayList<>();
    final List<Event> containerEvents = new ArrayList<>();
    final List<Snapshot> unitSnapshots = new ArrayList<>();
    final List<Snapshot> containerSnapshots = new ArrayList<>();
    private final TreeMap<Key, Unit> units = new TreeMap<>(KEY_ORDER);
    private final TreeMap<Key, Removal> unitRemovals = new TreeMap<>(KEY_ORDER);
    private final TreeMap<Key, Container> containers = new TreeMap<>(KEY_ORDER);
    private final TreeMap<Key, Removal> containerRemovals = new TreeMap<>(KEY_ORDER);
    private final Set<MachineRef> machines = new HashSet<>();

    /** The rows of frames of distinct machines, given in machine order. */
    static StateRows of(List<MachineRef> machines, List<Frame> frames) {
        StateRows rows = new StateRows();
        for (int i = 0; i < frames.size(); i++) {
            rows.add(machines.get(i), frames.get(i));
        }
        return rows;
    }

    /**
     * Splits a batch (sorted by machine, each machine's frames in the order received) into rounds
     * that hold at most one frame per machine: the first frame of each machine, then the second...
     * Each round's rows are written after the previous round's, as frame after frame were.
     */
    static <T> List<List<T>> rounds(List<T> batch, Function<T, MachineRef> machineOf) {
        List<List<T>> rounds = new ArrayList<>();
        Map<MachineRef, Integer> seen = new HashMap<>();
        for (T item : batch) {
            int round = seen.merge(machineOf.apply(item), 1, Integer::sum) - 1;
            if (round == rounds.size()) {
                rounds.add(new ArrayList<>());
            }
            rounds.get(round).add(item);
        }
        return rounds;
    }

    /**
     * The sequence number that acknowledges a frame once its transaction committed: the highest of
     * its changes (0 for none), or the snapshot's.
     */
    static long acknowledged(Frame frame) {
        if (frame instanceof StateSnapshot snapshot) {
            return snapshot.seq();
        }
        return ((StateChanges) frame)
                .changes().stream().mapToLong(StateChange::seq).max().orElse(0);
    }

    /** Adds a machine's frame; at most one per machine per round. */
    void add(MachineRef machine, Frame frame) {
        if (!machines.add(machine)) {
            throw new IllegalArgumentException("two frames of machine " + machine.machineId() + " in one round");
        }
        if (frame instanceof StateChanges changes) {
            addChanges(machine, changes.changes());
        } else if (frame instanceof StateSnapshot snapshot) {
            addSnapshot(machine, snapshot);
        } else {
            throw new IllegalArgumentException(
                    "not a state frame: " + frame.getClass().getSimpleName());
        }
    }

    List<Unit> units() {
        return List.copyOf(units.values());
    }

    List<Removal> unitRemovals() {
        return List.copyOf(unitRemovals.values());
    }

    List<Container> containers() {
        return List.copyOf(containers.values());
    }

    List<Removal> containerRemovals() {
        return List.copyOf(containerRemovals.values());
    }

    private void addChanges(MachineRef m, List<StateChange> changes) {
        for (StateChange ch : changes) {
            if (ch.container() != null) {
                containerEvents.add(new Event(m, ch));
                Key key = key(m, ch.container().id());
                if (ch.removed()) {
                    removal(
                            containerRemovals,
                            key,
                            new Removal(m, ch.container().id(), ch.seq()));
                } else {
                    upsert(
                            containers,
                            key,
                            new Container(m, ch.seq(), ch.observedAt(), ch.container()),
                            Container::seq);
                }
                continue;
            }
            unitEvents.add(new Event(m, ch)); // units, and gaps, which speak for the whole stream
            if (ch.isGap()) {
                continue;
            }
            Key key = key(m, ch.unit().name());
            if (ch.removed()) {
                removal(unitRemovals, key, new Removal(m, ch.unit().name(), ch.seq()));
            } else {
                upsert(units, key, new Unit(m, ch.seq(), ch.observedAt(), ch.unit()), Unit::seq);
            }
        }
    }

    private void addSnapshot(MachineRef m, StateSnapshot snapshot) {
        Set<String> listed = new LinkedHashSet<>();
        for (UnitState u : snapshot.units()) {
            upsert(units, key(m, u.name()), new Unit(m, snapshot.seq(), snapshot.observedAt(), u), Unit::seq);
            listed.add(u.name());
        }
        unitSnapshots.add(new Snapshot(m, snapshot.seq(), List.copyOf(listed)));
        if (snapshot.containers() == null) {
            return; // no engine to ask: what the service knew stays
        }
        listed.clear();
        for (ContainerState k : snapshot.containers()) {
            upsert(
                    containers,
                    key(m, k.id()),
                    new Container(m, snapshot.seq(), snapshot.observedAt(), k),
                    Container::seq);
            listed.add(k.id());
        }
        containerSnapshots.add(new Snapshot(m, snapshot.seq(), List.copyOf(listed)));
    }

    /** Of two upserts of one row the later wins unless its seq is lower (the stored row's guard). */
    private static <R> void upsert(Map<Key, R> rows, Key key, R row, Function<R, Long> seq) {
        rows.merge(key, row, (old, now) -> seq.apply(now) >= seq.apply(old) ? now : old);
    }

    /** Of two removals of one row the higher seq removes whatever the lower would. */
    private static void removal(Map<Key, Removal> rows, Key key, Removal row) {
        rows.merge(key, row, (old, now) -> now.seq() >= old.seq() ? now : old);
    }

    private static Key key(MachineRef m, String name) {
        return new Key(m.orgId(), m.machineId(), name);
    }
}
