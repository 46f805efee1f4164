package dev.flotilla.service.observed;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.flotilla.api.protocol.ContainerState;
import dev.flotilla.api.protocol.StateChange;
import dev.flotilla.api.rest.ContainerEventView;
import dev.flotilla.api.rest.ContainerView;
import dev.flotilla.api.rest.Page;
import dev.flotilla.service.common.Cursor;
import dev.flotilla.service.common.SqlValues;
import dev.flotilla.service.machine.MachineRef;

/**
 * Stores what agents observe of their containers, inside the transaction {@link UnitStateService}
 * opens for each frame (units and containers share one sequence and one acknowledgement): every
 * transition once, the current state never overwritten by an older report.
 */
@ApplicationScoped
public class ContainerStateService {
    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};

    @Inject
    EntityManager em;

    @Inject
    ObjectMapper json;

    void ingest(Connection c, MachineRef m, List<StateChange> changes, Instant now) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("insert into container_event (org_id, machine_id, seq,"
                + " observed_at, received_at, container_id, name, image, state, health, removed)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing")) {
            for (StateChange ch : changes) {
                ContainerState k = ch.container();
                ps.setObject(1, m.orgId());
                ps.setString(2, m.machineId());
                ps.setLong(3, ch.seq());
                ps.setTimestamp(4, Timestamp.from(ch.observedAt()));
                ps.setTimestamp(5, Timestamp.from(now));
                ps.setString(6, k.id());
                ps.setString(7, k.name());
                ps.setString(8, k.image());
                ps.setString(9, ch.removed() ? "removed" : k.state());
                ps.setString(10, k.health());
                ps.setBoolean(11, ch.removed());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        List<StateChange> current = new ArrayList<>();
        List<StateChange> removed = new ArrayList<>();
        for (StateChange ch : changes) {
            (ch.removed() ? removed : current).add(ch);
        }
        upsert(c, m, current);
        try (PreparedStatement ps = c.prepareStatement(
                "delete from machine_container where org_id = ? and machine_id = ? and container_id = ? and seq <= ?")) {
            for (StateChange ch : removed) {
                ps.setObject(1, m.orgId());
                ps.setString(2, m.machineId());
                ps.setString(3, ch.container().id());
                ps.setLong(4, ch.seq());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Replaces the machine's containers with a snapshot, unless newer reports already arrived. */
    void snapshot(Connection c, MachineRef m, long seq, Instant observedAt, List<ContainerState> containers)
            throws SQLException {
        upsert(
                c,
                m,
                containers.stream().map(k -> StateChange.of(seq, observedAt, k)).toList());
        try (PreparedStatement ps = c.prepareStatement("delete from machine_container where org_id = ?"
                + " and machine_id = ? and seq <= ? and not (container_id = any (?))")) {
            ps.setObject(1, m.orgId());
            ps.setString(2, m.machineId());
            ps.setLong(3, seq);
            ps.setArray(
                    4,
                    c.createArrayOf(
                            "text", containers.stream().map(ContainerState::id).toArray()));
            ps.executeUpdate();
        }
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<ContainerView> containers(UUID orgId, String machineId, String cursor, int limit) {
        int n = Math.max(1, Math.min(limit, UnitStateService.MAX_PAGE));
        List<String> after = cursor == null || cursor.isBlank() ? List.of("", "") : Cursor.decode(cursor, 2);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select container_id, name, image, state, status, health,"
                        + " created_at, started_at, labels::text, observed_at from machine_container"
                        + " where org_id = :org and machine_id = :m and (name, container_id) > (:an, :ai)"
                        + " order by name, container_id limit :n")
                .setParameter("org", orgId)
                .setParameter("m", machineId)
                .setParameter("an", after.get(0))
                .setParameter("ai", after.get(1))
                .setParameter("n", n + 1)
                .getResultList();
        List<ContainerView> items = new ArrayList<>();
        for (Object[] r : rows.subList(0, Math.min(n, rows.size()))) {
            items.add(new ContainerView(
                    (String) r[0],
                    (String) r[1],
                    (String) r[2],
                    (String) r[3],
                    (String) r[4],
                    (String) r[5],
                    SqlValues.instant(r[6]),
                    SqlValues.instant(r[7]),
                    labels((String) r[8]),
                    SqlValues.instant(r[9])));
        }
        String next = null;
        if (rows.size() > n) {
            ContainerView last = items.get(n - 1);
            next = Cursor.encode(last.name(), last.id());
        }
        return new Page<>(items, next);
    }

    /**
     * Container transitions of one machine, newest first; only those of one container when {@code
     * container} is set (its id, a prefix of at least 12 digits, or its name).
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<ContainerEventView> history(UUID orgId, String machineId, String container, String cursor, int limit) {
        int n = Math.max(1, Math.min(limit, UnitStateService.MAX_PAGE));
        long beforeSeq = Cursor.beforeSeq(cursor);
        var query = em.createNativeQuery("select seq, observed_at, received_at, container_id, name, image, state,"
                        + " health, removed from container_event where org_id = :org and machine_id = :m"
                        + " and seq < :before"
                        + (container == null ? "" : " and (container_id like :prefix or name = :name)")
                        + " order by seq desc limit :n")
                .setParameter("org", orgId)
                .setParameter("m", machineId)
                .setParameter("before", beforeSeq)
                .setParameter("n", n + 1);
        if (container != null) {
            query.setParameter("prefix", container.matches("[0-9a-f]{12,64}") ? container + "%" : "");
            query.setParameter("name", container);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = query.getResultList();
        List<ContainerEventView> items = new ArrayList<>();
        for (Object[] r : rows.subList(0, Math.min(n, rows.size()))) {
            items.add(new ContainerEventView(
                    ((Number) r[0]).longValue(),
                    SqlValues.instant(r[1]),
                    SqlValues.instant(r[2]),
                    (String) r[3],
                    (String) r[4],
                    (String) r[5],
                    (String) r[6],
                    (String) r[7],
                    (Boolean) r[8]));
        }
        String next =
                rows.size() > n ? Cursor.encode(String.valueOf(items.get(n - 1).seq())) : null;
        return new Page<>(items, next);
    }

    private void upsert(Connection c, MachineRef m, List<StateChange> changes) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("insert into machine_container (org_id, machine_id,"
                + " container_id, name, image, state, status, health, created_at, started_at, labels,"
                + " observed_at, seq) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)"
                + " on conflict (org_id, machine_id, container_id) do update set name = excluded.name,"
                + " image = excluded.image, state = excluded.state, status = excluded.status,"
                + " health = excluded.health, created_at = excluded.created_at,"
                + " started_at = excluded.started_at, labels = excluded.labels,"
                + " observed_at = excluded.observed_at, seq = excluded.seq"
                + " where machine_container.seq <= excluded.seq")) {
            for (StateChange ch : changes) {
                ContainerState k = ch.container();
                ps.setObject(1, m.orgId());
                ps.setString(2, m.machineId());
                ps.setString(3, k.id());
                ps.setString(4, k.name());
                ps.setString(5, k.image());
                ps.setString(6, k.state());
                ps.setString(7, k.status());
                ps.setString(8, k.health());
                ps.setTimestamp(9, k.createdAt() == null ? null : Timestamp.from(k.createdAt()));
                ps.setTimestamp(10, k.startedAt() == null ? null : Timestamp.from(k.startedAt()));
                ps.setObject(11, writeLabels(k.labels()), Types.VARCHAR);
                ps.setTimestamp(12, Timestamp.from(ch.observedAt()));
                ps.setLong(13, ch.seq());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private String writeLabels(Map<String, String> labels) {
        try {
            return json.writeValueAsString(labels);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> labels(String text) {
        try {
            return text == null ? Map.of() : json.readValue(text, LABELS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable labels in machine_container", e);
        }
    }
}
