package dev.flotilla.service.observed;

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

import dev.flotilla.api.rest.ContainerEventView;
import dev.flotilla.api.rest.ContainerView;
import dev.flotilla.api.rest.Page;
import dev.flotilla.service.common.Cursor;
import dev.flotilla.service.common.SqlValues;

/**
 * What agents observed of their containers, as stored by the {@link StateWriter} in the same
 * transaction as their units (units and containers share one sequence and one acknowledgement).
 */
@ApplicationScoped
public class ContainerStateService {
    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};

    @Inject
    EntityManager em;

    @Inject
    ObjectMapper json;

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

    private Map<String, String> labels(String text) {
        try {
            return text == null ? Map.of() : json.readValue(text, LABELS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable labels in machine_container", e);
        }
    }
}
