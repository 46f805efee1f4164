package dev.flotilla.service.observed;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.hibernate.Session;

import dev.flotilla.api.protocol.StateChange;
import dev.flotilla.api.protocol.StateSnapshot;
import dev.flotilla.api.protocol.UnitState;
import dev.flotilla.api.rest.FleetState;
import dev.flotilla.api.rest.MachineUnitView;
import dev.flotilla.api.rest.Page;
import dev.flotilla.api.rest.UnitEventView;
import dev.flotilla.service.common.Cursor;
import dev.flotilla.service.common.SqlValues;
import dev.flotilla.service.machine.MachineRef;

/**
 * Stores what agents observe of their units (and, through {@link ContainerStateService}, their
 * containers): every transition once (by the agent's sequence
 * number), the current state per unit never overwritten by an older report, all in one
 * transaction per frame with batched statements.
 */
@ApplicationScoped
@Transactional
public class UnitStateService {
    public static final int MAX_PAGE = 500;

    @Inject
    EntityManager em;

    @Inject
    ContainerStateService containers;

    /**
     * Stores transitions in the order given.
     *
     * @return the highest sequence number of the frame: once the transaction commits, everything up
     *     to it is stored (the agent sends in order and resends what was not acknowledged)
     */
    public long ingest(MachineRef machine, List<StateChange> changes) {
        if (changes.isEmpty()) {
            return 0;
        }
        Instant now = Instant.now();
        em.unwrap(Session.class).doWork(c -> {
            // Removals and upserts are each conditional on the sequence number, so the order in
            // which the batch runs them does not matter: the newest report wins.
            List<StateChange> unitEvents = new ArrayList<>();
            List<StateChange> removed = new ArrayList<>();
            List<StateChange> current = new ArrayList<>();
            List<StateChange> containerChanges = new ArrayList<>();
            for (StateChange ch : changes) {
                if (ch.container() != null) {
                    containerChanges.add(ch);
                    continue;
                }
                unitEvents.add(ch); // units, and gaps, which speak for the whole stream
                if (!ch.isGap()) {
                    (ch.removed() ? removed : current).add(ch);
                }
            }
            insertEvents(c, machine, unitEvents, now);
            upsert(c, machine, current);
            delete(c, machine, removed);
            containers.ingest(c, machine, containerChanges, now);
        });
        return changes.stream().mapToLong(StateChange::seq).max().orElse(0);
    }

    /** Replaces the machine's unit list with a snapshot, unless newer reports already arrived. */
    public long snapshot(MachineRef machine, StateSnapshot snapshot) {
        em.unwrap(Session.class).doWork(c -> {
            upsert(
                    c,
                    machine,
                    snapshot.units().stream()
                            .map(u -> StateChange.of(snapshot.seq(), snapshot.observedAt(), u))
                            .toList());
            try (PreparedStatement ps = c.prepareStatement(
                    "delete from machine_unit where org_id = ? and machine_id = ? and seq <= ? and not (name = any (?))")) {
                ps.setObject(1, machine.orgId());
                ps.setString(2, machine.machineId());
                ps.setLong(3, snapshot.seq());
                ps.setArray(
                        4,
                        c.createArrayOf(
                                "text",
                                snapshot.units().stream().map(UnitState::name).toArray()));
                ps.executeUpdate();
            }
            if (snapshot.containers() != null) {
                containers.snapshot(c, machine, snapshot.seq(), snapshot.observedAt(), snapshot.containers());
            }
        });
        return snapshot.seq();
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<MachineUnitView> units(UUID orgId, String machineId, String cursor, int limit) {
        int n = Math.max(1, Math.min(limit, MAX_PAGE));
        String after = cursor == null || cursor.isBlank()
                ? ""
                : Cursor.decode(cursor, 1).get(0);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "select name, load_state, active_state, sub_state, description, hash, managed, changed_at, observed_at"
                                + " from machine_unit where org_id = :org and machine_id = :m and name > :after"
                                + " order by name limit :n")
                .setParameter("org", orgId)
                .setParameter("m", machineId)
                .setParameter("after", after)
                .setParameter("n", n + 1)
                .getResultList();
        List<MachineUnitView> items = new ArrayList<>();
        for (Object[] r : rows.subList(0, Math.min(n, rows.size()))) {
            items.add(new MachineUnitView(
                    (String) r[0],
                    (String) r[1],
                    (String) r[2],
                    (String) r[3],
                    (String) r[4],
                    (String) r[5],
                    (Boolean) r[6],
                    SqlValues.instant(r[7]),
                    SqlValues.instant(r[8])));
        }
        String next = rows.size() > n ? Cursor.encode(items.get(n - 1).name()) : null;
        return new Page<>(items, next);
    }

    /** Transitions of one machine, newest first; only those of one unit when {@code unit} is set. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<UnitEventView> history(UUID orgId, String machineId, String unit, String cursor, int limit) {
        int n = Math.max(1, Math.min(limit, MAX_PAGE));
        long beforeSeq = Cursor.beforeSeq(cursor);
        var query = em.createNativeQuery(
                        "select seq, observed_at, received_at, name, load_state, active_state, sub_state, removed, dropped"
                                + " from unit_event where org_id = :org and machine_id = :m and seq < :before"
                                + (unit == null ? "" : " and name = :unit")
                                + " order by seq desc limit :n")
                .setParameter("org", orgId)
                .setParameter("m", machineId)
                .setParameter("before", beforeSeq)
                .setParameter("n", n + 1);
        if (unit != null) {
            query.setParameter("unit", unit);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = query.getResultList();
        List<UnitEventView> items = new ArrayList<>();
        for (Object[] r : rows.subList(0, Math.min(n, rows.size()))) {
            items.add(new UnitEventView(
                    ((Number) r[0]).longValue(),
                    SqlValues.instant(r[1]),
                    SqlValues.instant(r[2]),
                    (String) r[3],
                    (String) r[4],
                    (String) r[5],
                    (String) r[6],
                    (Boolean) r[7],
                    ((Number) r[8]).longValue()));
        }
        String next =
                rows.size() > n ? Cursor.encode(String.valueOf(items.get(n - 1).seq())) : null;
        return new Page<>(items, next);
    }

    /** fleet's state view: every unit on every machine, filtered as fleet's API allows. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public FleetState fleetState(UUID orgId, String machineId, String unitName, String pageToken, int limit) {
        List<String> after = pageToken == null || pageToken.isBlank() ? List.of("", "") : Cursor.decode(pageToken, 2);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "select name, hash, machine_id, load_state, active_state, sub_state from machine_unit"
                                + " where org_id = :org and (:m = '' or machine_id = :m) and (:u = '' or name = :u)"
                                + " and (name, machine_id) > (:an, :am) order by name, machine_id limit :n")
                .setParameter("org", orgId)
                .setParameter("m", machineId == null ? "" : machineId)
                .setParameter("u", unitName == null ? "" : unitName)
                .setParameter("an", after.get(0))
                .setParameter("am", after.get(1))
                .setParameter("n", limit + 1)
                .getResultList();
        List<FleetState.Entry> states = new ArrayList<>();
        for (Object[] r : rows.subList(0, Math.min(limit, rows.size()))) {
            states.add(new FleetState.Entry(
                    (String) r[0], (String) r[1], (String) r[2], (String) r[3], (String) r[4], (String) r[5]));
        }
        String next = null;
        if (rows.size() > limit) {
            FleetState.Entry last = states.get(limit - 1);
            next = Cursor.encode(last.name(), last.machineID());
        }
        return new FleetState(states, next);
    }

    /** Creates the monthly history partitions for last month to next month, if missing. */
    public void ensurePartitions() {
        for (String table : List.of("unit_event", "container_event")) {
            for (String month : List.of("now() - interval '1 month'", "now()", "now() + interval '1 month'")) {
                em.createNativeQuery("select flotilla_ensure_monthly_partition(:t, (" + month + ")::date)::text")
                        .setParameter("t", table)
                        .getSingleResult();
            }
        }
    }

    private static void insertEvents(Connection c, MachineRef m, List<StateChange> changes, Instant now)
            throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("insert into unit_event (org_id, machine_id, seq, observed_at,"
                + " received_at, name, load_state, active_state, sub_state, removed, dropped)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing")) {
            for (StateChange ch : changes) {
                UnitState u = ch.unit();
                ps.setObject(1, m.orgId());
                ps.setString(2, m.machineId());
                ps.setLong(3, ch.seq());
                ps.setTimestamp(4, Timestamp.from(ch.observedAt()));
                ps.setTimestamp(5, Timestamp.from(now));
                ps.setString(6, u == null ? null : u.name());
                ps.setString(7, u == null ? null : u.load());
                ps.setString(8, u == null ? null : u.active());
                ps.setString(9, u == null ? null : u.sub());
                ps.setBoolean(10, ch.removed());
                ps.setLong(11, ch.dropped());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void upsert(Connection c, MachineRef m, List<StateChange> changes) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("insert into machine_unit (org_id, machine_id, name, load_state,"
                + " active_state, sub_state, description, hash, managed, changed_at, observed_at, seq)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " on conflict (org_id, machine_id, name) do update set load_state = excluded.load_state,"
                + " active_state = excluded.active_state, sub_state = excluded.sub_state,"
                + " description = excluded.description, hash = excluded.hash, managed = excluded.managed,"
                + " changed_at = excluded.changed_at, observed_at = excluded.observed_at, seq = excluded.seq"
                + " where machine_unit.seq <= excluded.seq")) {
            for (StateChange ch : changes) {
                UnitState u = ch.unit();
                ps.setObject(1, m.orgId());
                ps.setString(2, m.machineId());
                ps.setString(3, u.name());
                ps.setString(4, u.load());
                ps.setString(5, u.active());
                ps.setString(6, u.sub());
                ps.setString(7, u.description());
                ps.setString(8, u.hash());
                ps.setBoolean(9, u.managed());
                ps.setTimestamp(10, u.changedAt() == null ? null : Timestamp.from(u.changedAt()));
                ps.setTimestamp(11, Timestamp.from(ch.observedAt()));
                ps.setLong(12, ch.seq());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void delete(Connection c, MachineRef m, List<StateChange> removals) throws SQLException {
        if (removals.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "delete from machine_unit where org_id = ? and machine_id = ? and name = ? and seq <= ?")) {
            for (StateChange ch : removals) {
                ps.setObject(1, m.orgId());
                ps.setString(2, m.machineId());
                ps.setString(3, ch.unit().name());
                ps.setLong(4, ch.seq());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
