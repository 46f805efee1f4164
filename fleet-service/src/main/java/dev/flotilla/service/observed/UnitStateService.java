package dev.flotilla.service.observed;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.flotilla.api.rest.FleetState;
import dev.flotilla.api.rest.MachineUnitView;
import dev.flotilla.api.rest.Page;
import dev.flotilla.api.rest.UnitEventView;
import dev.flotilla.service.common.Cursor;
import dev.flotilla.service.common.SqlValues;

/**
 * What agents observed of their units, as stored by the {@link StateWriter}: the current state per
 * machine and the history of transitions, and the monthly history partitions.
 */
@ApplicationScoped
@Transactional
public class UnitStateService {
    public static final int MAX_PAGE = 500;

    @Inject
    EntityManager em;

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
}
