package dev.flotilla.service.observed;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.hibernate.Session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.flotilla.api.protocol.UnitState;

/**
 * Writes a round of agent frames ({@link StateRows}) with one statement per kind of row, whatever
 * the number of frames: each statement takes its rows as arrays ({@code unnest}), so a round costs
 * a handful of round trips and plans instead of a few per frame. Every upsert and removal is
 * guarded by the sequence number stored with the row, as before, so an older report never
 * overwrites a newer one, and history rows are stored once ({@code on conflict do nothing}).
 *
 * <p>Runs as the service's own database user (the writer's threads have no request, so
 * {@code TenantConnections} does not scope the connection), which owns the tables and so is not
 * subject to row-level security: one statement may hold several organizations' rows. Times travel
 * as ISO-8601 text rounded to microseconds, as the driver rounds a {@code Timestamp}.
 * {@code load-tests/.../Baselines.java} runs the same unit statements in pgbench: keep them in step.
 */
@ApplicationScoped
public class StateStatements {
    static final String INSERT_UNIT_EVENTS = "insert into unit_event (org_id, machine_id, seq, observed_at,"
            + " received_at, name, load_state, active_state, sub_state, removed, dropped)"
            + " select e.org_id, e.machine_id, e.seq, e.observed_at, ?, e.name, e.load_state, e.active_state,"
            + " e.sub_state, e.removed, e.dropped"
            + " from unnest(?::uuid[], ?::text[], ?::bigint[], ?::timestamptz[], ?::text[], ?::text[], ?::text[],"
            + " ?::text[], ?::boolean[], ?::bigint[])"
            + " as e (org_id, machine_id, seq, observed_at, name, load_state, active_state, sub_state, removed, dropped)"
            + " on conflict do nothing";

    static final String UPSERT_UNITS = "insert into machine_unit (org_id, machine_id, name, load_state,"
            + " active_state, sub_state, description, hash, managed, changed_at, observed_at, seq)"
            + " select * from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
            + " ?::text[], ?::boolean[], ?::timestamptz[], ?::timestamptz[], ?::bigint[])"
            + " on conflict (org_id, machine_id, name) do update set load_state = excluded.load_state,"
            + " active_state = excluded.active_state, sub_state = excluded.sub_state,"
            + " description = excluded.description, hash = excluded.hash, managed = excluded.managed,"
            + " changed_at = excluded.changed_at, observed_at = excluded.observed_at, seq = excluded.seq"
            + " where machine_unit.seq <= excluded.seq";

    static final String DELETE_UNITS = "delete from machine_unit u"
            + " using unnest(?::uuid[], ?::text[], ?::text[], ?::bigint[]) as r (org_id, machine_id, name, seq)"
            + " where u.org_id = r.org_id and u.machine_id = r.machine_id and u.name = r.name and u.seq <= r.seq";

    /**
     * Each snapshot's listed names are the slice {@code [first:last]} of one array, so each
     * machine's rows are checked against its own list only, as {@code not (name = any (?))} did per
     * snapshot before (a join against every listed name of the round would cost rows × names).
     */
    static final String DELETE_UNITS_NOT_LISTED = "delete from machine_unit u"
            + " using unnest(?::uuid[], ?::text[], ?::bigint[], ?::int[], ?::int[])"
            + " as s (org_id, machine_id, seq, first, last)"
            + " where u.org_id = s.org_id and u.machine_id = s.machine_id and u.seq <= s.seq"
            + " and not (u.name = any ((?::text[])[s.first:s.last]))";

    static final String INSERT_CONTAINER_EVENTS = "insert into container_event (org_id, machine_id, seq,"
            + " observed_at, received_at, container_id, name, image, state, health, removed)"
            + " select e.org_id, e.machine_id, e.seq, e.observed_at, ?, e.container_id, e.name, e.image, e.state,"
            + " e.health, e.removed"
            + " from unnest(?::uuid[], ?::text[], ?::bigint[], ?::timestamptz[], ?::text[], ?::text[], ?::text[],"
            + " ?::text[], ?::text[], ?::boolean[])"
            + " as e (org_id, machine_id, seq, observed_at, container_id, name, image, state, health, removed)"
            + " on conflict do nothing";

    static final String UPSERT_CONTAINERS = "insert into machine_container (org_id, machine_id, container_id,"
            + " name, image, state, status, health, created_at, started_at, labels, observed_at, seq)"
            + " select k.org_id, k.machine_id, k.container_id, k.name, k.image, k.state, k.status, k.health,"
            + " k.created_at, k.started_at, k.labels::jsonb, k.observed_at, k.seq"
            + " from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
            + " ?::timestamptz[], ?::timestamptz[], ?::text[], ?::timestamptz[], ?::bigint[])"
            + " as k (org_id, machine_id, container_id, name, image, state, status, health, created_at,"
            + " started_at, labels, observed_at, seq)"
            + " on conflict (org_id, machine_id, container_id) do update set name = excluded.name,"
            + " image = excluded.image, state = excluded.state, status = excluded.status,"
            + " health = excluded.health, created_at = excluded.created_at,"
            + " started_at = excluded.started_at, labels = excluded.labels,"
            + " observed_at = excluded.observed_at, seq = excluded.seq"
            + " where machine_container.seq <= excluded.seq";

    static final String DELETE_CONTAINERS = "delete from machine_container k"
            + " using unnest(?::uuid[], ?::text[], ?::text[], ?::bigint[]) as r (org_id, machine_id, container_id, seq)"
            + " where k.org_id = r.org_id and k.machine_id = r.machine_id and k.container_id = r.container_id"
            + " and k.seq <= r.seq";

    static final String DELETE_CONTAINERS_NOT_LISTED = "delete from machine_container k"
            + " using unnest(?::uuid[], ?::text[], ?::bigint[], ?::int[], ?::int[])"
            + " as s (org_id, machine_id, seq, first, last)"
            + " where k.org_id = s.org_id and k.machine_id = s.machine_id and k.seq <= s.seq"
            + " and not (k.container_id = any ((?::text[])[s.first:s.last]))";

    @Inject
    EntityManager em;

    @Inject
    ObjectMapper json;

    /** Writes the round in the caller's transaction, the statements in one fixed order. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void write(StateRows rows, Instant receivedAt) {
        em.unwrap(Session.class).doWork(c -> write(c, rows, receivedAt));
    }

    private void write(Connection c, StateRows rows, Instant receivedAt) throws SQLException {
        Timestamp received = Timestamp.from(receivedAt);
        if (!rows.unitEvents.isEmpty()) {
            var e = rows.unitEvents;
            try (PreparedStatement ps = c.prepareStatement(INSERT_UNIT_EVENTS)) {
                ps.setTimestamp(1, received);
                Arrays a = new Arrays(c, ps, 2);
                a.uuids(e, x -> x.machine().orgId());
                a.texts(e, x -> x.machine().machineId());
                a.longs(e, x -> x.change().seq());
                a.times(e, x -> x.change().observedAt());
                a.texts(e, x -> unit(x, UnitState::name));
                a.texts(e, x -> unit(x, UnitState::load));
                a.texts(e, x -> unit(x, UnitState::active));
                a.texts(e, x -> unit(x, UnitState::sub));
                a.booleans(e, x -> x.change().removed());
                a.longs(e, x -> x.change().dropped());
                ps.executeUpdate();
            }
        }
        List<StateRows.Unit> units = rows.units();
        if (!units.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(UPSERT_UNITS)) {
                Arrays a = new Arrays(c, ps, 1);
                a.uuids(units, x -> x.machine().orgId());
                a.texts(units, x -> x.machine().machineId());
                a.texts(units, x -> x.unit().name());
                a.texts(units, x -> x.unit().load());
                a.texts(units, x -> x.unit().active());
                a.texts(units, x -> x.unit().sub());
                a.texts(units, x -> x.unit().description());
                a.texts(units, x -> x.unit().hash());
                a.booleans(units, x -> x.unit().managed());
                a.times(units, x -> x.unit().changedAt());
                a.times(units, StateRows.Unit::observedAt);
                a.longs(units, StateRows.Unit::seq);
                ps.executeUpdate();
            }
        }
        delete(c, DELETE_UNITS, rows.unitRemovals());
        deleteNotListed(c, DELETE_UNITS_NOT_LISTED, rows.unitSnapshots);
        if (!rows.containerEvents.isEmpty()) {
            var e = rows.containerEvents;
            try (PreparedStatement ps = c.prepareStatement(INSERT_CONTAINER_EVENTS)) {
                ps.setTimestamp(1, received);
                Arrays a = new Arrays(c, ps, 2);
                a.uuids(e, x -> x.machine().orgId());
                a.texts(e, x -> x.machine().machineId());
                a.longs(e, x -> x.change().seq());
                a.times(e, x -> x.change().observedAt());
                a.texts(e, x -> x.change().container().id());
                a.texts(e, x -> x.change().container().name());
                a.texts(e, x -> x.change().container().image());
                a.texts(
                        e,
                        x -> x.change().removed()
                                ? "removed"
                                : x.change().container().state());
                a.texts(e, x -> x.change().container().health());
                a.booleans(e, x -> x.change().removed());
                ps.executeUpdate();
            }
        }
        List<StateRows.Container> containers = rows.containers();
        if (!containers.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(UPSERT_CONTAINERS)) {
                Arrays a = new Arrays(c, ps, 1);
                a.uuids(containers, x -> x.machine().orgId());
                a.texts(containers, x -> x.machine().machineId());
                a.texts(containers, x -> x.container().id());
                a.texts(containers, x -> x.container().name());
                a.texts(containers, x -> x.container().image());
                a.texts(containers, x -> x.container().state());
                a.texts(containers, x -> x.container().status());
                a.texts(containers, x -> x.container().health());
                a.times(containers, x -> x.container().createdAt());
                a.times(containers, x -> x.container().startedAt());
                a.texts(containers, x -> labels(x.container().labels()));
                a.times(containers, StateRows.Container::observedAt);
                a.longs(containers, StateRows.Container::seq);
                ps.executeUpdate();
            }
        }
        delete(c, DELETE_CONTAINERS, rows.containerRemovals());
        deleteNotListed(c, DELETE_CONTAINERS_NOT_LISTED, rows.containerSnapshots);
    }

    private static void delete(Connection c, String sql, List<StateRows.Removal> removals) throws SQLException {
        if (removals.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            Arrays a = new Arrays(c, ps, 1);
            a.uuids(removals, x -> x.machine().orgId());
            a.texts(removals, x -> x.machine().machineId());
            a.texts(removals, StateRows.Removal::name);
            a.longs(removals, StateRows.Removal::seq);
            ps.executeUpdate();
        }
    }

    private static void deleteNotListed(Connection c, String sql, List<StateRows.Snapshot> snapshots)
            throws SQLException {
        if (snapshots.isEmpty()) {
            return;
        }
        List<String> listed = new ArrayList<>();
        Integer[] first = new Integer[snapshots.size()];
        Integer[] last = new Integer[snapshots.size()];
        for (int i = 0; i < snapshots.size(); i++) {
            first[i] = listed.size() + 1; // PostgreSQL arrays count from 1; [n+1:n] is empty
            listed.addAll(snapshots.get(i).listed());
            last[i] = listed.size();
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            Arrays a = new Arrays(c, ps, 1);
            a.uuids(snapshots, x -> x.machine().orgId());
            a.texts(snapshots, x -> x.machine().machineId());
            a.longs(snapshots, StateRows.Snapshot::seq);
            a.bind("int4", first);
            a.bind("int4", last);
            a.bind("text", listed.toArray(String[]::new));
            ps.executeUpdate();
        }
    }

    private static String unit(StateRows.Event e, Function<UnitState, String> field) {
        UnitState u = e.change().unit();
        return u == null ? null : field.apply(u);
    }

    private String labels(Map<String, String> labels) {
        try {
            return json.writeValueAsString(labels);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Binds one column of rows after another as array parameters. */
    private static final class Arrays {
        private final Connection c;
        private final PreparedStatement ps;
        private int next;

        Arrays(Connection c, PreparedStatement ps, int first) {
            this.c = c;
            this.ps = ps;
            this.next = first;
        }

        <R> void uuids(List<R> rows, Function<R, UUID> column) throws SQLException {
            bind("uuid", rows.stream().map(column).toArray(UUID[]::new));
        }

        <R> void texts(List<R> rows, Function<R, String> column) throws SQLException {
            bind("text", rows.stream().map(column).toArray(String[]::new));
        }

        <R> void longs(List<R> rows, Function<R, Long> column) throws SQLException {
            bind("int8", rows.stream().map(column).toArray(Long[]::new));
        }

        <R> void booleans(List<R> rows, Function<R, Boolean> column) throws SQLException {
            bind("bool", rows.stream().map(column).toArray(Boolean[]::new));
        }

        /** As text ({@code ?::timestamptz[]} reads it), rounded to microseconds as the driver rounds a Timestamp. */
        <R> void times(List<R> rows, Function<R, Instant> column) throws SQLException {
            bind(
                    "text",
                    rows.stream()
                            .map(column)
                            .map(t -> t == null ? null : micros(t).toString())
                            .toArray(String[]::new));
        }

        void bind(String type, Object[] values) throws SQLException {
            ps.setArray(next++, c.createArrayOf(type, values));
        }
    }

    /** pgjdbc's rounding of a Timestamp's nanoseconds (half up, to the microsecond). */
    static Instant micros(Instant t) {
        long nanos = t.getNano();
        long rounded = (nanos + 500) / 1000 * 1000;
        return t.plusNanos(rounded - nanos);
    }
}
