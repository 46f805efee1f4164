package dev.flotilla.service.units;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.flotilla.api.unit.FleetRequirements;
import dev.flotilla.api.unit.UnitFile;
import dev.flotilla.api.unit.UnitNames;

/**
 * fleet's placement rules as a pure function, like Nomad's {@code scheduler/reconcile}: units,
 * machines and where units are now in, a {@link Plan} out; no database, no CDI, so the rules are
 * tested in milliseconds ({@code PlacementsTest}). {@link UnitScheduler} loads the inputs, calls
 * {@link #plan} and writes what changed.
 *
 * <p>Global units go to every machine whose labels match their {@code MachineMetadata} (lost
 * machines included: they find their global units when they come back) and that holds no unit
 * they conflict with; a machine a rollout of the unit reached gets the rollout's file. Other units
 * go to one machine that is not lost: the one they are on if it still qualifies, else the least
 * loaded online machine that does (after the units they must run beside) ({@code MachineID}, {@code MachineMetadata}, {@code MachineOf}, {@code
 * Conflicts} both ways, not beside a unit that {@code Replaces} it), ties broken by machine id.
 * Then a unit that {@code Replaces} another takes its machine and the replaced one moves.
 * Templates are never placed; an {@code inactive} unit is known but not placed.
 */
public final class Placements {
    private Placements() {}

    /** A unit as the scheduler reads it; {@code machine} is where it is placed now (null: nowhere). */
    public record Unit(String name, UnitFile file, String target, boolean global, String machine) {
        FleetRequirements req() {
            return FleetRequirements.of(file, name);
        }
    }

    /**
     * A machine: its id, labels, whether it is lost (only global units still go to lost machines)
     * and whether its agent is connected (new placements go only to connected machines, as fleet
     * placed only on machines present in the cluster; an offline machine keeps what it has).
     */
    public record Machine(String id, Map<String, String> labels, boolean lost, boolean online) {
        /** Online unless lost. */
        public Machine(String id, Map<String, String> labels, boolean lost) {
            this(id, labels, lost, !lost);
        }
    }

    /** A global unit's rollout in progress: the new file, and the machines it reached so far. */
    public record Rollout(String systemdContent, Set<String> machines) {}

    /** What a machine must run of one unit: its systemd file and target state. */
    public record Desired(String content, String target) {}

    /**
     * The outcome: per machine (every machine given, also those that get nothing) its units by
     * name, and the machine each non-global unit is placed on (null: unscheduled).
     */
    public record Plan(Map<String, Map<String, Desired>> desired, Map<String, String> placedOn) {}

    /**
     * A unit with its requirements parsed, and what machines get of it made, once per plan, not
     * once per machine: a global unit on 10,000 machines serialized its file 10,000 times, and the
     * plan ran past its time box on a busy machine.
     */
    private record Candidate(int index, Unit unit, FleetRequirements req, Desired desired) {
        String name() {
            return unit.name();
        }
    }

    /**
     * What one plan already found out about pairs of units (conflict, replacement): a glob is matched
     * once per pair, not once per pair and machine.
     */
    private static final class Memo {
        final Map<Long, Boolean> conflicts = new HashMap<>();
        final Map<Long, Boolean> replaces = new HashMap<>();

        boolean conflict(Candidate a, Candidate b) {
            long key =
                    a.index() < b.index() ? ((long) a.index() << 32) | b.index() : ((long) b.index() << 32) | a.index();
            return conflicts.computeIfAbsent(key, k -> a.req().conflictsWith(a.name(), b.name(), b.req()));
        }

        /** Whether {@code by} replaces {@code u}. */
        boolean replaces(Candidate by, Candidate u) {
            long key = ((long) by.index() << 32) | u.index();
            return replaces.computeIfAbsent(
                    key, k -> by.req().replaces().stream().anyMatch(g -> FleetRequirements.glob(g, u.name())));
        }
    }

    /**
     * How much CPU a plan may take: checked as it goes, so that one organization's pathological
     * units cannot hold the scheduler's loop, which serves every organization. Measured in the
     * planning thread's CPU time, not the wall clock: on a busy machine a thread waits for a core,
     * and a plan of 10,000 machines that needs 10 ms of CPU ran past a 500 ms box of wall time
     * (a global unit then waited for the loop, and for the organization's share, again and again).
     */
    public static final class Budget {
        private static final java.lang.management.ThreadMXBean THREADS =
                java.lang.management.ManagementFactory.getThreadMXBean();
        private static final boolean CPU_TIME = THREADS.isCurrentThreadCpuTimeSupported();

        /** This thread's CPU time in nanoseconds (the wall clock where the JVM cannot tell). */
        public static long cpuNanos() {
            return CPU_TIME ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
        }

        /** No limit (tests, and plans made for a request's own preview). */
        public static final Budget UNLIMITED = new Budget(Long.MAX_VALUE);

        private final long deadline;
        private int steps;

        private Budget(long deadline) {
            this.deadline = deadline;
        }

        /** A budget of {@code nanos} of this thread's CPU time from now. */
        public static Budget ofNanos(long nanos) {
            return new Budget(cpuNanos() + nanos);
        }

        /** One step of work; every 64 steps the clock is read. */
        void spend() {
            if (deadline != Long.MAX_VALUE && (++steps & 0x3f) == 0 && cpuNanos() > deadline) {
                throw new OverBudget(steps);
            }
        }
    }

    /** A plan ran out of its {@link Budget}: nothing is written, the next round tries again. */
    public static final class OverBudget extends RuntimeException {
        OverBudget(int steps) {
            super("placement ran out of time after " + steps + " steps", null, false, false);
        }
    }

    /**
     * The global units {@code machine} would run if it had its labels: the plan's own rule (labels
     * match {@code MachineMetadata}, no conflict with a unit already there), for one machine, so a
     * preview of a label change answers as the scheduler will. Units placed on other machines and
     * rollouts play no part in which global units a machine gets.
     */
    public static java.util.SortedSet<String> globalUnitsOf(Collection<Unit> units, Machine machine) {
        List<Unit> relevant = units.stream()
                .filter(u -> u.global() || machine.id().equals(u.machine()))
                .toList();
        java.util.SortedSet<String> out = new java.util.TreeSet<>();
        plan(relevant, List.of(machine), Map.of()).desired().get(machine.id()).keySet().stream()
                .filter(name ->
                        relevant.stream().anyMatch(u -> u.global() && u.name().equals(name)))
                .forEach(out::add);
        return out;
    }

    /** Places {@code units} on {@code machines} (in any order), given the {@code rollouts} by unit name. */
    public static Plan plan(Collection<Unit> units, Collection<Machine> machines, Map<String, Rollout> rollouts) {
        return plan(units, machines, rollouts, Budget.UNLIMITED);
    }

    /** As {@link #plan(Collection, Collection, Map)}, within {@code budget} ({@link OverBudget} past it). */
    public static Plan plan(
            Collection<Unit> units, Collection<Machine> machines, Map<String, Rollout> rollouts, Budget budget) {
        List<Unit> sortedUnits = units.stream()
                .filter(u -> !UnitNames.isTemplate(u.name())) // templates are never run themselves
                .sorted(Comparator.comparing(Unit::name))
                .toList();
        List<Candidate> all = new ArrayList<>();
        for (Unit u : sortedUnits) {
            budget.spend();
            all.add(new Candidate(all.size(), u, u.req(), new Desired(u.file().systemdContent(), u.target())));
        }
        Memo memo = new Memo();
        List<Machine> sorted =
                machines.stream().sorted(Comparator.comparing(Machine::id)).toList();
        Map<String, Map<String, Desired>> wanted = new TreeMap<>();
        Map<String, Map<String, Candidate>> placed = new HashMap<>();
        for (Machine m : sorted) {
            wanted.put(m.id(), new TreeMap<>());
            placed.put(m.id(), new HashMap<>());
        }
        // Where non-global units are now: a global unit does not go where one it conflicts with
        // already runs (in fleet the unit already there kept the machine).
        Map<String, Map<String, Candidate>> present = new HashMap<>();
        for (Candidate u : all) {
            if (!u.unit().global()
                    && u.unit().machine() != null
                    && !u.unit().target().equals("inactive")) {
                present.computeIfAbsent(u.unit().machine(), k -> new HashMap<>())
                        .put(u.name(), u);
            }
        }
        // Global units first (they count for load, conflicts and MachineOf, as in fleet).
        for (Candidate u : all) {
            if (!u.unit().global() || u.unit().target().equals("inactive")) {
                continue;
            }
            for (Machine m : sorted) {
                budget.spend();
                if (u.req().matchesLabels(m.labels())
                        && !conflicts(u, placed.get(m.id()), memo, budget)
                        && !conflicts(u, present.getOrDefault(m.id(), Map.of()), memo, budget)) {
                    place(u, m, wanted, placed);
                    Rollout rollout = rollouts.get(u.name());
                    if (rollout != null && rollout.machines().contains(m.id())) {
                        // A machine a rollout reached runs the new file.
                        wanted.get(m.id())
                                .put(
                                        u.name(),
                                        new Desired(
                                                rollout.systemdContent(),
                                                u.unit().target()));
                    }
                }
            }
        }
        Map<String, Machine> placedOn = new HashMap<>();
        // Units that must run beside others (MachineOf) wait until those are placed, whatever their
        // names: a unit submitted before its peer joins the peer as soon as the peer lands.
        java.util.Set<String> landed = new java.util.HashSet<>();
        placed.values().forEach(here -> landed.addAll(here.keySet()));
        List<Candidate> pending = new ArrayList<>();
        for (Candidate u : all) {
            if (!u.unit().global() && !u.unit().target().equals("inactive")) {
                pending.add(u); // an inactive unit is known, not scheduled
            }
        }
        boolean progress = true;
        while (!pending.isEmpty() && progress) {
            progress = false;
            List<Candidate> later = new ArrayList<>();
            for (Candidate u : pending) {
                budget.spend();
                if (!landed.containsAll(u.req().machineOf())) {
                    later.add(u);
                    continue;
                }
                progress = true;
                Machine chosen = choose(u, sorted, placed, u.unit().machine(), budget, memo);
                if (chosen != null) {
                    place(u, chosen, wanted, placed);
                    placedOn.put(u.name(), chosen);
                    landed.add(u.name());
                }
            }
            pending = later;
        }
        // fleet's Replaces: a unit that replaces another takes the machine; the replaced one moves.
        for (Candidate r : all) {
            Machine m = placedOn.get(r.name());
            if (m == null || r.req().replaces().isEmpty()) {
                continue;
            }
            for (Candidate x : new ArrayList<>(placed.get(m.id()).values())) {
                if (x.unit().global() || x.name().equals(r.name()) || !memo.replaces(r, x)) {
                    continue;
                }
                placed.get(m.id()).remove(x.name());
                wanted.get(m.id()).remove(x.name());
                placedOn.remove(x.name());
                Machine elsewhere = choose(x, sorted, placed, null, budget, memo);
                if (elsewhere != null) {
                    place(x, elsewhere, wanted, placed);
                    placedOn.put(x.name(), elsewhere);
                }
            }
        }
        Map<String, String> machineOf = new LinkedHashMap<>();
        for (Candidate u : all) {
            if (!u.unit().global()) {
                Machine m = placedOn.get(u.name());
                machineOf.put(u.name(), m == null ? null : m.id());
            }
        }
        return new Plan(wanted, machineOf);
    }

    /**
     * The machine it is on if that still qualifies (offline will do: it keeps its units until it is
     * lost), else the least loaded online machine that does, or null.
     */
    private static Machine choose(
            Candidate u,
            List<Machine> machines,
            Map<String, Map<String, Candidate>> placed,
            String current,
            Budget budget,
            Memo memo) {
        return machines.stream()
                .filter(m -> !m.lost() && m.id().equals(current) && able(u, m, placed, memo, budget))
                .findFirst()
                .orElseGet(() -> machines.stream()
                        .peek(m -> budget.spend())
                        .filter(m -> m.online() && !m.lost() && able(u, m, placed, memo, budget))
                        .min(Comparator.comparingInt(
                                        (Machine m) -> placed.get(m.id()).size())
                                .thenComparing(Machine::id))
                        .orElse(null));
    }

    private static void place(
            Candidate u,
            Machine m,
            Map<String, Map<String, Desired>> wanted,
            Map<String, Map<String, Candidate>> placed) {
        wanted.get(m.id()).put(u.name(), u.desired());
        placed.get(m.id()).put(u.name(), u);
    }

    private static boolean able(
            Candidate u, Machine m, Map<String, Map<String, Candidate>> placed, Memo memo, Budget budget) {
        FleetRequirements r = u.req();
        if (r.machineId() != null
                && !(m.id().equals(r.machineId())
                        || (r.machineId().length() == 8 && m.id().startsWith(r.machineId())))) {
            return false;
        }
        if (!r.matchesLabels(m.labels())) {
            return false;
        }
        Map<String, Candidate> here = placed.get(m.id());
        for (String peer : r.machineOf()) {
            if (!here.containsKey(peer)) {
                return false;
            }
        }
        for (Candidate other : here.values()) {
            budget.spend();
            if (!other.name().equals(u.name()) && memo.replaces(other, u)) {
                return false; // replaced by a unit already there
            }
        }
        return !conflicts(u, here, memo, budget);
    }

    private static boolean conflicts(Candidate u, Map<String, Candidate> here, Memo memo, Budget budget) {
        for (Candidate other : here.values()) {
            budget.spend();
            if (memo.conflict(u, other)) {
                return true;
            }
        }
        return false;
    }
}
