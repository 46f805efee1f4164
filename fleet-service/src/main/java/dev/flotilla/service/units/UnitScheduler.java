package dev.flotilla.service.units;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

import dev.flotilla.api.unit.UnitFile;
import dev.flotilla.service.common.AdvisoryLocks;
import dev.flotilla.service.desired.DesiredStateService;

/**
 * Runs fleet's placement ({@link Placements}, pure) for an organization and writes the result as
 * each machine's desired state: loads units, machines and rollouts, plans, writes what changed. A
 * reconcile is one transaction under a per-organization advisory lock, so replicas and requests
 * never interleave; only machines whose units changed get a new generation.
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
    SchedulerConfig config;

    /** Each organization's share of placement time on this replica. */
    private final SchedulingShares shares = new SchedulingShares();

    /** What one organization's reconcile by the loop came to. */
    record Outcome(boolean placed, boolean rolling) {}

    /**
     * The loop's reconcile of one organization ({@link SchedulerLoop}): whether its units were
     * placed (not when its share of placement time is used up, or its plan overran the time box),
     * and whether a rollout of it still runs (it waits on time: the loop comes back).
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    Outcome reconcileInOwnTransaction(UUID orgId) {
        boolean placed = advanceAndReconcile(orgId);
        return new Outcome(placed, rollouts.running(orgId));
    }

    /**
     * Moves the organization's rollouts on, then places its units: one round of the scheduler.
     *
     * @return whether its units were placed (see {@link #reconcile})
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean advanceAndReconcile(UUID orgId) {
        lock(orgId);
        rollouts.advance(orgId);
        return reconcile(orgId);
    }

    /** One organization's scheduling at a time, across replicas, until the transaction ends. */
    private void lock(UUID orgId) {
        em.createNativeQuery(
                        "select pg_advisory_xact_lock(" + AdvisoryLocks.SCHEDULING + ", hashtext(cast(:o as text)))")
                .setParameter("o", orgId)
                .getSingleResult();
    }

    /**
     * Places the organization's units and updates the machines whose desired state changes.
     *
     * @return {@code false} when nothing was placed: its share of placement time is used up, or its
     *     plan did not fit in the time box (the caller marks it for the leader to retry)
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean reconcile(UUID orgId) {
        lock(orgId);
        long start = System.nanoTime();
        long cpuStart = Placements.Budget.cpuNanos();
        long allowed = Math.min(
                config.orgTimeBox().toNanos(),
                shares.available(
                        orgId,
                        start,
                        config.orgTimePerSecond().toNanos(),
                        config.orgTimeBox().toNanos()));
        if (allowed <= 0) {
            // The organization used its share of placement time lately: its units stay where they
            // are until the share refills (the caller marks the organization; the leader retries).
            LOG.fine("scheduling organization " + orgId + ": waiting for its share of placement time");
            return false;
        }
        Placements.Plan plan;
        List<Placements.Unit> units;
        List<Placements.Machine> machines;
        try {
            units = units(orgId);
            machines = machines(orgId);
            plan = Placements.plan(units, machines, rollouts.active(orgId), Placements.Budget.ofNanos(allowed));
        } catch (Placements.OverBudget e) {
            // Nothing is written: units stay where they are until a round fits in the time box.
            LOG.warning("scheduling organization " + orgId + ": " + e.getMessage() + " (time box " + allowed / 1_000_000
                    + " ms); its units stay where they are this round");
            return false;
        } finally {
            shares.spend(orgId, Placements.Budget.cpuNanos() - cpuStart);
        }
        for (Placements.Unit u : units) {
            if (!plan.placedOn().containsKey(u.name())) {
                continue; // global units and templates have no one machine
            }
            String machineId = plan.placedOn().get(u.name());
            if (!Objects.equals(machineId, u.machine())) {
                if (u.machine() != null) {
                    movedOff(orgId, u, machineId, machines);
                }
                em.createNativeQuery("update unit set machine_id = :m where org_id = :o and name = :n")
                        .setParameter("m", machineId)
                        .setParameter("o", orgId)
                        .setParameter("n", u.name())
                        .executeUpdate();
            }
        }
        write(orgId, plan.desired());
        return true;
    }

    /**
     * The machine's history says the unit was taken off it, where it went and why: its agent stops
     * and removes the unit (now, or when it comes back after it was lost).
     */
    private void movedOff(UUID orgId, Placements.Unit u, String to, List<Placements.Machine> machines) {
        Placements.Machine from = machines.stream()
                .filter(m -> m.id().equals(u.machine()))
                .findFirst()
                .orElse(null);
        if (from == null) {
            return; // the machine was removed: its history ended with it
        }
        String why = from.lost()
                ? "this machine was lost"
                : u.target().equals("inactive") ? "the unit was unloaded" : "it no longer fits this machine";
        String detail = u.name() + (to == null ? " unscheduled" : " moved to " + to) + ": " + why;
        em.createNativeQuery("insert into machine_event (org_id, machine_id, kind, at, detail)"
                        + " values (:o, :m, 'units', now(), :d)")
                .setParameter("o", orgId)
                .setParameter("m", from.id())
                .setParameter("d", detail)
                .executeUpdate();
    }

    /** Rows per statement: one statement of 1,000 rows costs about what a few single-row ones do. */
    private static final int CHUNK = 1000;

    /**
     * Replaces the scheduler's rows of each machine whose placements changed, and bumps it: a few
     * set-based statements per thousand rows ({@link DesiredRows}), not one statement per row, so a
     * global unit reaches 10,000 machines in one short transaction.
     */
    private void write(UUID orgId, Map<String, Map<String, Placements.Desired>> wanted) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select machine_id, name, content, target from desired_unit"
                        + " where org_id = :o and unit_name is not null")
                .setParameter("o", orgId)
                .getResultList();
        Map<String, Map<String, Placements.Desired>> current = new HashMap<>();
        for (Object[] r : rows) {
            current.computeIfAbsent((String) r[0], k -> new TreeMap<>())
                    .put((String) r[1], new Placements.Desired((String) r[2], (String) r[3]));
        }
        DesiredRows changes = DesiredRows.diff(wanted, current);
        for (int i = 0; i < changes.deletes().size(); i += CHUNK) {
            List<DesiredRows.Row> chunk =
                    changes.deletes().subList(i, Math.min(changes.deletes().size(), i + CHUNK));
            em.createNativeQuery("delete from desired_unit d using unnest(cast(:m as text[]), cast(:n as text[]))"
                            + " as x(m, n) where d.org_id = :o and d.machine_id = x.m and d.name = x.n"
                            + " and d.unit_name is not null")
                    .setParameter("o", orgId)
                    .setParameter(
                            "m", chunk.stream().map(DesiredRows.Row::machine).toArray(String[]::new))
                    .setParameter("n", chunk.stream().map(DesiredRows.Row::name).toArray(String[]::new))
                    .executeUpdate();
        }
        for (int i = 0; i < changes.upserts().size(); i += CHUNK) {
            List<DesiredRows.Row> chunk =
                    changes.upserts().subList(i, Math.min(changes.upserts().size(), i + CHUNK));
            // A unit set by hand under the same name stays: the hand wins, as it was there first.
            em.createNativeQuery("insert into desired_unit (org_id, machine_id, name, content, target, updated_by,"
                            + " updated_at, unit_name) select :o, x.m, x.n, x.c, x.t, 'scheduler', now(), x.n"
                            + " from unnest(cast(:m as text[]), cast(:n as text[]), cast(:c as text[]),"
                            + " cast(:t as text[])) as x(m, n, c, t)"
                            + " on conflict (org_id, machine_id, name) do update set content = excluded.content,"
                            + " target = excluded.target, updated_by = excluded.updated_by, updated_at = now()"
                            + " where desired_unit.unit_name is not null")
                    .setParameter("o", orgId)
                    .setParameter(
                            "m", chunk.stream().map(DesiredRows.Row::machine).toArray(String[]::new))
                    .setParameter("n", chunk.stream().map(DesiredRows.Row::name).toArray(String[]::new))
                    .setParameter(
                            "c", chunk.stream().map(r -> r.desired().content()).toArray(String[]::new))
                    .setParameter(
                            "t", chunk.stream().map(r -> r.desired().target()).toArray(String[]::new))
                    .executeUpdate();
        }
        for (int i = 0; i < changes.machines().size(); i += CHUNK) {
            desired.bump(
                    orgId,
                    changes.machines().subList(i, Math.min(changes.machines().size(), i + CHUNK)));
        }
    }

    private List<Placements.Unit> units(UUID orgId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "select name, content, target_state, global, machine_id from unit" + " where org_id = :o")
                .setParameter("o", orgId)
                .getResultList();
        List<Placements.Unit> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(new Placements.Unit(
                    (String) r[0], UnitFile.parse((String) r[1]), (String) r[2], (Boolean) r[3], (String) r[4]));
        }
        return out;
    }

    private List<Placements.Machine> machines(UUID orgId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select id, labels::text, presence from machine where org_id = :o")
                .setParameter("o", orgId)
                .getResultList();
        List<Placements.Machine> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(new Placements.Machine(
                    (String) r[0], labels((String) r[1]), "lost".equals(r[2]), "online".equals(r[2])));
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
