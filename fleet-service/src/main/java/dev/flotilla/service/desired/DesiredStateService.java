package dev.flotilla.service.desired;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.flotilla.api.protocol.DesiredState;
import dev.flotilla.api.protocol.DesiredStateResult;
import dev.flotilla.api.protocol.DesiredUnit;
import dev.flotilla.api.rest.DesiredStateView;
import dev.flotilla.api.rest.DesiredUnitView;
import dev.flotilla.api.rest.NewDesiredUnit;
import dev.flotilla.api.unit.UnitNames;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.common.SqlValues;
import dev.flotilla.service.machine.MachineRef;
import dev.flotilla.service.machine.MachineService;
import dev.flotilla.service.notify.Notify;

/**
 * What each machine must run. Every change raises the machine's generation, and only that
 * machine's agent is told (no thundering herd); the agent reports what it made of each generation.
 */
@ApplicationScoped
@Transactional
public class DesiredStateService {
    @Inject
    EntityManager em;

    @Inject
    MachineService machines;

    @Inject
    Event<DesiredStateApplied> resultsStored;

    @Inject
    Event<HandUnitRemoved> handRemoved;

    public DesiredStateView put(UUID orgId, String machineId, String name, NewDesiredUnit unit, String actor) {
        machines.get(orgId, machineId);
        if (!UnitNames.isValid(name)) {
            throw ProblemException.badRequest(
                    "not a systemd unit name (letters, digits, :_.@- and a unit type suffix)");
        }
        if (unit == null) {
            throw ProblemException.badRequest("a body with content and target is required");
        }
        String target = unit.target() == null ? DesiredUnit.LAUNCHED : unit.target();
        if (!DesiredUnit.LAUNCHED.equals(target) && !DesiredUnit.LOADED.equals(target)) {
            throw ProblemException.badRequest("target must be loaded or launched (remove the unit for inactive)");
        }
        String problem = UnitFileCheck.invalid(unit.content());
        if (problem != null) {
            throw ProblemException.badRequest(problem);
        }
        scheduled(orgId, machineId, name);
        em.createNativeQuery(
                        "insert into desired_unit (org_id, machine_id, name, content, target, updated_by, updated_at)"
                                + " values (:o, :m, :n, :c, :t, :by, now()) on conflict (org_id, machine_id, name) do update"
                                + " set content = excluded.content, target = excluded.target, updated_by = excluded.updated_by,"
                                + " updated_at = now()")
                .setParameter("o", orgId)
                .setParameter("m", machineId)
                .setParameter("n", name)
                .setParameter("c", unit.content())
                .setParameter("t", target)
                .setParameter("by", actor)
                .executeUpdate();
        bump(new MachineRef(orgId, machineId));
        return view(orgId, machineId);
    }

    public DesiredStateView remove(UUID orgId, String machineId, String name) {
        machines.get(orgId, machineId);
        scheduled(orgId, machineId, name);
        int n = em.createNativeQuery("delete from desired_unit where org_id = :o and machine_id = :m and name = :n")
                .setParameter("o", orgId)
                .setParameter("m", machineId)
                .setParameter("n", name)
                .executeUpdate();
        if (n == 0) {
            throw ProblemException.notFound("desired unit " + (UnitNames.isValid(name) ? name : ""));
        }
        bump(new MachineRef(orgId, machineId));
        handRemoved.fire(new HandUnitRemoved(new MachineRef(orgId, machineId), name));
        return view(orgId, machineId);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public DesiredStateView view(UUID orgId, String machineId) {
        machines.get(orgId, machineId);
        Object[] gen = (Object[]) em.createNativeQuery(
                        "select desired_generation, applied_generation from machine where org_id = :o and id = :m")
                .setParameter("o", orgId)
                .setParameter("m", machineId)
                .getSingleResult();
        long generation = ((Number) gen[0]).longValue();
        long applied = ((Number) gen[1]).longValue();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select d.name, d.target, d.content, d.updated_by, d.updated_at,"
                        + " r.ok, r.error, r.generation from desired_unit d left join desired_unit_result r"
                        + " on r.org_id = d.org_id and r.machine_id = d.machine_id and r.name = d.name"
                        + " where d.org_id = :o and d.machine_id = :m order by d.name")
                .setParameter("o", orgId)
                .setParameter("m", machineId)
                .getResultList();
        List<DesiredUnitView> units = new ArrayList<>();
        boolean allOk = true;
        for (Object[] r : rows) {
            Boolean ok = (Boolean) r[5];
            Long resultGeneration = r[7] == null ? null : ((Number) r[7]).longValue();
            allOk &= Boolean.TRUE.equals(ok) && resultGeneration != null && resultGeneration == generation;
            units.add(new DesiredUnitView(
                    (String) r[0],
                    (String) r[1],
                    (String) r[2],
                    (String) r[3],
                    SqlValues.instant(r[4]),
                    ok,
                    (String) r[6],
                    resultGeneration));
        }
        return new DesiredStateView(generation, applied, applied == generation && allOk, units);
    }

    /** Whether Flotilla gave the machine this unit to run (by the scheduler or by hand). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public boolean manages(MachineRef machine, String name) {
        return !em.createNativeQuery("select 1 from desired_unit where org_id = :o and machine_id = :m and name = :n")
                .setParameter("o", machine.orgId())
                .setParameter("m", machine.machineId())
                .setParameter("n", name)
                .getResultList()
                .isEmpty();
    }

    /** The frame that tells a machine's agent what to run (also from the listener's own thread). */
    public DesiredState current(MachineRef machine) {
        return current(List.of(machine)).getOrDefault(machine, new DesiredState(0, List.of()));
    }

    /**
     * The frames for many machines at once, in two queries per organization and thousand machines
     * rather than two per machine: a global unit changes thousands of machines at a time.
     */
    public Map<MachineRef, DesiredState> current(Collection<MachineRef> machines) {
        Map<MachineRef, DesiredState> out = new HashMap<>();
        Map<UUID, List<String>> byOrg = new HashMap<>();
        machines.forEach(
                m -> byOrg.computeIfAbsent(m.orgId(), k -> new ArrayList<>()).add(m.machineId()));
        for (Map.Entry<UUID, List<String>> org : byOrg.entrySet()) {
            List<String> ids = org.getValue();
            for (int i = 0; i < ids.size(); i += 1000) {
                String[] chunk = ids.subList(i, Math.min(ids.size(), i + 1000)).toArray(String[]::new);
                Map<String, Long> generations = new HashMap<>();
                @SuppressWarnings("unchecked")
                List<Object[]> gens = em.createNativeQuery(
                                "select id, desired_generation from machine where org_id = :o and id = any(cast(:m as text[]))")
                        .setParameter("o", org.getKey())
                        .setParameter("m", chunk)
                        .getResultList();
                gens.forEach(r -> generations.put((String) r[0], ((Number) r[1]).longValue()));
                Map<String, List<DesiredUnit>> units = new HashMap<>();
                @SuppressWarnings("unchecked")
                List<Object[]> rows = em.createNativeQuery(
                                "select machine_id, name, content, target from desired_unit"
                                        + " where org_id = :o and machine_id = any(cast(:m as text[])) order by machine_id, name")
                        .setParameter("o", org.getKey())
                        .setParameter("m", chunk)
                        .getResultList();
                for (Object[] r : rows) {
                    units.computeIfAbsent((String) r[0], k -> new ArrayList<>())
                            .add(new DesiredUnit((String) r[1], (String) r[2], (String) r[3]));
                }
                generations.forEach((id, gen) -> out.put(
                        new MachineRef(org.getKey(), id), new DesiredState(gen, units.getOrDefault(id, List.of()))));
            }
        }
        return out;
    }

    /** The agent applied a generation: keep its results, per unit. */
    public void applied(MachineRef machine, DesiredStateResult result) {
        for (DesiredStateResult.UnitResult u : result.units()) {
            if (!UnitNames.isValid(u.name())) {
                continue; // the agent refused a name we never send; nothing of ours to record
            }
            String error = u.error() == null
                    ? null
                    : u.error().substring(0, Math.min(2000, u.error().length()));
            em.createNativeQuery("insert into desired_unit_result (org_id, machine_id, name, generation, ok, error, at)"
                            + " values (:o, :m, :n, :g, :ok, :e, now()) on conflict (org_id, machine_id, name) do update"
                            + " set generation = excluded.generation, ok = excluded.ok, error = excluded.error, at = now()"
                            + " where desired_unit_result.generation <= excluded.generation")
                    .setParameter("o", machine.orgId())
                    .setParameter("m", machine.machineId())
                    .setParameter("n", u.name())
                    .setParameter("g", result.generation())
                    .setParameter("ok", u.ok())
                    .setParameter("e", error)
                    .executeUpdate();
        }
        em.createNativeQuery("update machine set applied_generation = greatest(applied_generation, :g)"
                        + " where org_id = :o and id = :m and desired_generation >= :g")
                .setParameter("g", result.generation())
                .setParameter("o", machine.orgId())
                .setParameter("m", machine.machineId())
                .executeUpdate();
        resultsStored.fire(new DesiredStateApplied(machine));
    }

    /** A unit the scheduler placed is changed through /api/v1/units, not by hand. */
    private void scheduled(UUID orgId, String machineId, String name) {
        boolean placed = !em.createNativeQuery("select 1 from desired_unit where org_id = :o and machine_id = :m"
                        + " and name = :n and unit_name is not null")
                .setParameter("o", orgId)
                .setParameter("m", machineId)
                .setParameter("n", name)
                .getResultList()
                .isEmpty();
        if (placed) {
            throw ProblemException.conflict(
                    name + " was placed here by the scheduler; change it through /api/v1/units/" + name);
        }
    }

    /**
     * {@link #bump} for many machines of one organization in two statements: their rows are
     * locked in ascending id order (as the state writer and the heartbeat flush lock them, so
     * none of them deadlock), and one notification per machine is sent by one statement.
     */
    public void bump(UUID orgId, List<String> machineIds) {
        if (machineIds.isEmpty()) {
            return;
        }
        String[] ids = machineIds.toArray(String[]::new);
        em.createNativeQuery("update machine m set desired_generation = m.desired_generation + 1 from"
                        + " (select id from machine where org_id = :o and id = any(cast(:m as text[]))"
                        + " order by id collate \"C\" for update) as x where m.org_id = :o and m.id = x.id")
                .setParameter("o", orgId)
                .setParameter("m", ids)
                .executeUpdate();
        String[] payloads = machineIds.stream()
                .map(id -> new MachineRef(orgId, id).payload())
                .toArray(String[]::new);
        Notify.sendAll(em, DesiredStateNotifications.CHANNEL, payloads);
    }

    /** Gives the machine's desired state a new generation and tells its agent (after commit). */
    public void bump(MachineRef machine) {
        em.createNativeQuery(
                        "update machine set desired_generation = desired_generation + 1 where org_id = :o and id = :m")
                .setParameter("o", machine.orgId())
                .setParameter("m", machine.machineId())
                .executeUpdate();
        // Heard by every replica once this transaction commits (DesiredStateNotifications).
        Notify.send(em, DesiredStateNotifications.CHANNEL, machine.payload());
    }
}
