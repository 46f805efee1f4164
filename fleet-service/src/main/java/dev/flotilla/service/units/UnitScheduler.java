package dev.flotilla.service.units;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.flotilla.api.unit.FleetRequirements;
import dev.flotilla.api.unit.UnitFile;
import dev.flotilla.api.unit.UnitNames;
import dev.flotilla.service.desired.DesiredStateService;
import dev.flotilla.service.machine.MachineRef;
import io.quarkus.scheduler.Scheduled;

/**
 * Places units on machines, as fleet's engine did, and writes the result as each machine's
 * desired state. Global units go to every machine whose labels match their {@code
 * MachineMetadata} (lost machines included: they find their global units when they come back);
 * other units to one machine that is not lost: the one they are on if it still qualifies, else the
 * least loaded that does ({@code MachineID}, {@code MachineMetadata}, {@code MachineOf}, {@code
 * Conflicts} both ways, not beside a unit that {@code Replaces} it), ties broken by machine id. A reconcile is one transaction under a
 * per-organization advisory lock, so replicas and requests never interleave; only machines whose
 * units changed get a new generation.
 */
@ApplicationScoped
public class UnitScheduler {
    private static final Logger LOG = Logger.getLogger(UnitScheduler.class.getName());
    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};

    @Inject
    RolloutService rollouts;

    @Inject
    EntityManager em;

    @Inject
    ObjectMapper json;

    @Inject
    DesiredStateService desired;

    @Inject
    SchedulerLeader leader;

    record Placement(String content, String target) {}

    private record Unit(
            String name, UnitFile file, FleetRequirements req, String target, boolean global, String machine) {}

    private record Machine(String id, Map<String, String> labels, boolean lost) {}

    /**
     * Every organization with units, every 2 s, on the leading replica only: picks up enrollments,
     * label changes, lost machines.
     */
    @Scheduled(every = "${flotilla.scheduler.every:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reconcileAll() {
        if (!leader.lead()) {
            return; // another replica runs the loop
        }
        @SuppressWarnings("unchecked")
        List<UUID> orgs =
                em.createNativeQuery("select distinct org_id from unit").getResultList();
        for (UUID org : orgs) {
            try {
                reconcileInOwnTransaction(org);
            } catch (RuntimeException e) {
                LOG.warning("scheduling organization " + org + " failed: " + e.getMessage());
            }
        }
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    void reconcileInOwnTransaction(UUID orgId) {
        advanceAndReconcile(orgId);
    }

    /** Moves the organization's rollouts on, then places its units: one round of the scheduler. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void advanceAndReconcile(UUID orgId) {
        lock(orgId);
        rollouts.advance(orgId);
        reconcile(orgId);
    }

    /** One organization's scheduling at a time, across replicas, until the transaction ends. */
    private void lock(UUID orgId) {
        em.createNativeQuery("select pg_advisory_xact_lock(7005, hashtext(cast(:o as text)))")
                .setParameter("o", orgId)
                .getSingleResult();
    }

    /** Places the organization's units and updates the machines whose desired state changes. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void reconcile(UUID orgId) {
        lock(orgId);
        List<Unit> units = units(orgId);
        List<Machine> machines = machines(orgId);
        Map<String, RolloutService.Active> rolling = rollouts.active(orgId);
        Map<String, Map<String, Placement>> wanted = new TreeMap<>();
        Map<String, Map<String, Unit>> placedUnits = new HashMap<>();
        for (Machine m : machines) {
            wanted.put(m.id(), new TreeMap<>());
            placedUnits.put(m.id(), new HashMap<>());
        }
        // Global units first (they count for load, conflicts and MachineOf, as in fleet).
        for (Unit u : units) {
            if (!u.global() || u.target().equals("inactive")) {
                continue;
            }
            for (Machine m : machines) {
                if (u.req().matchesLabels(m.labels()) && !conflicts(u, placedUnits.get(m.id()))) {
                    place(u, m, wanted, placedUnits);
                    RolloutService.Active rollout = rolling.get(u.name());
                    if (rollout != null && rollout.machines().contains(m.id())) {
                        // A machine a rollout reached runs the new file.
                        wanted.get(m.id()).put(u.name(), new Placement(rollout.systemdContent(), u.target()));
                    }
                }
            }
        }
        Map<String, Machine> placedOn = new HashMap<>();
        for (Unit u : units) {
            if (u.global()) {
                continue;
            }
            Machine chosen = u.target().equals("inactive")
                    ? null // an inactive unit is known, not scheduled
                    : choose(u, machines, placedUnits, u.machine());
            if (chosen != null) {
                place(u, chosen, wanted, placedUnits);
                placedOn.put(u.name(), chosen);
            }
        }
        // fleet's Replaces: a unit that replaces another takes the machine; the replaced one moves.
        for (Unit r : units) {
            Machine m = placedOn.get(r.name());
            if (m == null || r.req().replaces().isEmpty()) {
                continue;
            }
            for (Unit x : new ArrayList<>(placedUnits.get(m.id()).values())) {
                if (x.global()
                        || x.name().equals(r.name())
                        || r.req().replaces().stream().noneMatch(g -> FleetRequirements.glob(g, x.name()))) {
                    continue;
                }
                placedUnits.get(m.id()).remove(x.name());
                wanted.get(m.id()).remove(x.name());
                placedOn.remove(x.name());
                Machine elsewhere = choose(x, machines, placedUnits, null);
                if (elsewhere != null) {
                    place(x, elsewhere, wanted, placedUnits);
                    placedOn.put(x.name(), elsewhere);
                }
            }
        }
        for (Unit u : units) {
            if (u.global()) {
                continue;
            }
            Machine m = placedOn.get(u.name());
            String machineId = m == null ? null : m.id();
            if (!Objects.equals(machineId, u.machine())) {
                em.createNativeQuery("update unit set machine_id = :m where org_id = :o and name = :n")
                        .setParameter("m", machineId)
                        .setParameter("o", orgId)
                        .setParameter("n", u.name())
                        .executeUpdate();
            }
        }
        write(orgId, wanted);
    }

    /** The machine it is on if that still qualifies, else the least loaded that does, or null. */
    private static Machine choose(
            Unit u, List<Machine> machines, Map<String, Map<String, Unit>> placed, String current) {
        return machines.stream()
                .filter(m -> !m.lost() && m.id().equals(current) && able(u, m, placed))
                .findFirst()
                .orElseGet(() -> machines.stream()
                        .filter(m -> !m.lost() && able(u, m, placed))
                        .min(Comparator.comparingInt(
                                        (Machine m) -> placed.get(m.id()).size())
                                .thenComparing(Machine::id))
                        .orElse(null));
    }

    private static void place(
            Unit u, Machine m, Map<String, Map<String, Placement>> wanted, Map<String, Map<String, Unit>> placed) {
        wanted.get(m.id()).put(u.name(), new Placement(u.file().systemdContent(), u.target()));
        placed.get(m.id()).put(u.name(), u);
    }

    private static boolean able(Unit u, Machine m, Map<String, Map<String, Unit>> placed) {
        FleetRequirements r = u.req();
        if (r.machineId() != null
                && !(m.id().equals(r.machineId())
                        || (r.machineId().length() == 8 && m.id().startsWith(r.machineId())))) {
            return false;
        }
        if (!r.matchesLabels(m.labels())) {
            return false;
        }
        Map<String, Unit> here = placed.get(m.id());
        for (String peer : r.machineOf()) {
            if (!here.containsKey(peer)) {
                return false;
            }
        }
        for (Unit other : here.values()) {
            if (!other.name().equals(u.name())
                    && other.req().replaces().stream().anyMatch(g -> FleetRequirements.glob(g, u.name()))) {
                return false; // replaced by a unit already there
            }
        }
        return !conflicts(u, here);
    }

    private static boolean conflicts(Unit u, Map<String, Unit> here) {
        for (Unit other : here.values()) {
            if (u.req().conflictsWith(u.name(), other.name(), other.req())) {
                return true;
            }
        }
        return false;
    }

    /** Replaces the scheduler's rows of each machine whose placements changed, and bumps it. */
    private void write(UUID orgId, Map<String, Map<String, Placement>> wanted) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select machine_id, name, content, target from desired_unit"
                        + " where org_id = :o and unit_name is not null")
                .setParameter("o", orgId)
                .getResultList();
        Map<String, Map<String, Placement>> current = new HashMap<>();
        for (Object[] r : rows) {
            current.computeIfAbsent((String) r[0], k -> new TreeMap<>())
                    .put((String) r[1], new Placement((String) r[2], (String) r[3]));
        }
        Set<String> all = new java.util.TreeSet<>(wanted.keySet());
        all.addAll(current.keySet());
        for (String machine : all) {
            Map<String, Placement> want = wanted.getOrDefault(machine, Map.of());
            Map<String, Placement> have = current.getOrDefault(machine, Map.of());
            if (want.equals(have)) {
                continue;
            }
            for (String name : have.keySet()) {
                if (!want.containsKey(name)) {
                    em.createNativeQuery("delete from desired_unit where org_id = :o and machine_id = :m and name = :n"
                                    + " and unit_name is not null")
                            .setParameter("o", orgId)
                            .setParameter("m", machine)
                            .setParameter("n", name)
                            .executeUpdate();
                }
            }
            for (Map.Entry<String, Placement> e : want.entrySet()) {
                if (e.getValue().equals(have.get(e.getKey()))) {
                    continue;
                }
                // A unit set by hand under the same name stays: the hand wins, as it was there first.
                em.createNativeQuery("insert into desired_unit (org_id, machine_id, name, content, target,"
                                + " updated_by, updated_at, unit_name) values (:o, :m, :n, :c, :t, 'scheduler', now(), :n)"
                                + " on conflict (org_id, machine_id, name) do update set content = excluded.content,"
                                + " target = excluded.target, updated_by = excluded.updated_by, updated_at = now()"
                                + " where desired_unit.unit_name is not null")
                        .setParameter("o", orgId)
                        .setParameter("m", machine)
                        .setParameter("n", e.getKey())
                        .setParameter("c", e.getValue().content())
                        .setParameter("t", e.getValue().target())
                        .executeUpdate();
            }
            desired.bump(new MachineRef(orgId, machine));
        }
    }

    private List<Unit> units(UUID orgId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select name, content, target_state, global, machine_id from unit"
                        + " where org_id = :o order by name")
                .setParameter("o", orgId)
                .getResultList();
        List<Unit> out = new ArrayList<>();
        for (Object[] r : rows) {
            String name = (String) r[0];
            if (UnitNames.isTemplate(name)) {
                continue; // templates are never run themselves
            }
            UnitFile file = UnitFile.parse((String) r[1]);
            out.add(new Unit(
                    name, file, FleetRequirements.of(file, name), (String) r[2], (Boolean) r[3], (String) r[4]));
        }
        return out;
    }

    private List<Machine> machines(UUID orgId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "select id, labels::text, presence from machine where org_id = :o order by id")
                .setParameter("o", orgId)
                .getResultList();
        List<Machine> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(new Machine((String) r[0], labels((String) r[1]), "lost".equals(r[2])));
        }
        return out;
    }

    private Map<String, String> labels(String text) {
        try {
            return text == null ? Map.of() : json.readValue(text, LABELS);
        } catch (JsonProcessingException e) {
            return new LinkedHashMap<>();
        }
    }
}
