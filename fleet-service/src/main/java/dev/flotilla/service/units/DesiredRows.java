package dev.flotilla.service.units;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the scheduler must write to make the machines' placed units (rows of {@code desired_unit}
 * with a {@code unit_name}) what the plan wants: the rows to delete, the rows to insert or
 * replace, and the machines whose desired state changed (each gets a new generation). Pure: the
 * scheduler writes the three lists in a few set-based statements, not one per row — a global unit
 * changes every machine of an organization at once.
 */
record DesiredRows(List<Row> deletes, List<Row> upserts, List<String> machines) {
    /** One row; {@code desired} is null for a delete. */
    record Row(String machine, String name, Placements.Desired desired) {}

    /**
     * The difference between what each machine has and what it should have; machines are in
     * ascending order (the order every writer locks machine rows in).
     */
    static DesiredRows diff(
            Map<String, Map<String, Placements.Desired>> wanted, Map<String, Map<String, Placements.Desired>> current) {
        Set<String> all = new TreeSet<>(wanted.keySet());
        all.addAll(current.keySet());
        List<Row> deletes = new ArrayList<>();
        List<Row> upserts = new ArrayList<>();
        List<String> machines = new ArrayList<>();
        for (String machine : all) {
            Map<String, Placements.Desired> want = wanted.getOrDefault(machine, Map.of());
            Map<String, Placements.Desired> have = current.getOrDefault(machine, Map.of());
            if (want.equals(have)) {
                continue;
            }
            machines.add(machine);
            for (String name : new TreeSet<>(have.keySet())) {
                if (!want.containsKey(name)) {
                    deletes.add(new Row(machine, name, null));
                }
            }
            for (String name : new TreeSet<>(want.keySet())) {
                Placements.Desired d = want.get(name);
                if (!d.equals(have.get(name))) {
                    upserts.add(new Row(machine, name, d));
                }
            }
        }
        return new DesiredRows(List.copyOf(deletes), List.copyOf(upserts), List.copyOf(machines));
    }

    boolean isEmpty() {
        return machines.isEmpty();
    }
}
