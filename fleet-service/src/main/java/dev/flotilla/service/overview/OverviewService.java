package dev.flotilla.service.overview;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.flotilla.service.common.SqlValues;
import dev.flotilla.service.common.TimeService;
import dev.flotilla.service.machine.MachineService;

/**
 * Reads the overview: each part one query, grouped in PostgreSQL and limited (the issue asks for
 * p95 under 100 ms at 10,000 machines and 500,000 unit rows in one organization, so nothing here
 * loads the fleet into Java). Machines are grouped by presence, OS and agent version in one pass
 * ({@code grouping sets}).
 */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class OverviewService {
    /** Rows of each list on the overview; the rest is behind a "see all" link. */
    public static final int SHOWN = 10;

    /** Hosts named beside each failed unit. */
    static final int HOSTS = 5;

    private static final String OS = MachineService.OS;
    private static final String AGENT = MachineService.AGENT;

    @Inject
    EntityManager em;

    @Inject
    TimeService time;

    public Overview overview(UUID org) {
        Instant now = time.now();
        Machines m = machines(org);
        List<Overview.Count> states = unitStates(org);
        return new Overview(
                m.presences,
                day(org, now),
                week(org, now),
                states,
                units(org),
                ((Number) em.createNativeQuery("select count(*) from unit where org_id = :o")
                                .setParameter("o", org)
                                .getSingleResult())
                        .intValue(),
                rollouts(org),
                policies(org, now),
                first(m.os),
                Math.max(0, m.os.size() - SHOWN),
                waitingForUpdate(org, now),
                first(m.agents),
                Math.max(0, m.agents.size() - SHOWN));
    }

    /** What the overview's live view follows: the counts that change from one second to the next. */
    public Map<String, Integer> liveCounts(UUID org) {
        Overview.Presences p = presences(org);
        Map<String, Integer> out = new LinkedHashMap<>();
        out.put("online", p.online());
        out.put("offline", p.offline());
        out.put("lost", p.lost());
        out.put("machines", p.total());
        out.put("waiting", waitingForUpdate(org, time.now()));
        return out;
    }

    private record Machines(Overview.Presences presences, List<Overview.Count> os, List<Overview.Count> agents) {}

    private Machines machines(UUID org) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select grouping(presence), grouping(" + OS + "), presence, "
                        + OS + ", " + AGENT + ", count(*) from machine where org_id = :o"
                        + " group by grouping sets ((presence), (" + OS + "), (" + AGENT + "))"
                        + " order by count(*) desc, 4, 5")
                .setParameter("o", org)
                .getResultList();
        Map<String, Integer> presence = new LinkedHashMap<>();
        List<Overview.Count> os = new ArrayList<>();
        List<Overview.Count> agents = new ArrayList<>();
        for (Object[] r : rows) {
            int n = ((Number) r[5]).intValue();
            if (((Number) r[0]).intValue() == 0) {
                presence.put((String) r[2], n);
            } else if (((Number) r[1]).intValue() == 0) {
                os.add(new Overview.Count((String) r[3], n));
            } else {
                agents.add(new Overview.Count((String) r[4], n));
            }
        }
        return new Machines(
                new Overview.Presences(
                        presence.getOrDefault("online", 0),
                        presence.getOrDefault("offline", 0),
                        presence.getOrDefault("lost", 0)),
                os,
                agents);
    }

    private Overview.Presences presences(UUID org) {
        Object[] r = (Object[]) em.createNativeQuery("select count(*) filter (where presence = 'online'),"
                        + " count(*) filter (where presence = 'offline'), count(*) filter (where presence = 'lost')"
                        + " from machine where org_id = :o")
                .setParameter("o", org)
                .getSingleResult();
        return new Overview.Presences(
                ((Number) r[0]).intValue(), ((Number) r[1]).intValue(), ((Number) r[2]).intValue());
    }

    /** The last 24 hours, bucket by bucket (5 minutes). */
    private List<Overview.Bucket> day(UUID org, Instant now) {
        return buckets(em.createNativeQuery("select bucket, online, offline, lost from presence_rollup"
                        + " where org_id = :o and bucket > :from order by bucket")
                .setParameter("o", org)
                .setParameter("from", utc(now.minus(Duration.ofHours(24))))
                .getResultList());
    }

    /** The last 7 days, hour by hour: each hour's buckets averaged. */
    private List<Overview.Bucket> week(UUID org, Instant now) {
        return buckets(em.createNativeQuery("select date_trunc('hour', bucket, 'UTC'), round(avg(online)),"
                        + " round(avg(offline)), round(avg(lost)) from presence_rollup"
                        + " where org_id = :o and bucket > :from group by 1 order by 1")
                .setParameter("o", org)
                .setParameter("from", utc(now.minus(Duration.ofDays(7))))
                .getResultList());
    }

    @SuppressWarnings("unchecked")
    private static List<Overview.Bucket> buckets(List<?> rows) {
        return ((List<Object[]>) rows)
                .stream()
                        .map(r -> new Overview.Bucket(
                                SqlValues.instant(r[0]),
                                ((Number) r[1]).intValue(),
                                ((Number) r[2]).intValue(),
                                ((Number) r[3]).intValue()))
                        .toList();
    }

    /**
     * Units Flotilla placed, by the state systemd reports on their machines: failed, active and
     * the rest. Counted with FILTER over an index-only scan, not grouped: hashing 300,000 states
     * took half again as long.
     */
    private List<Overview.Count> unitStates(UUID org) {
        Object[] r = (Object[]) em.createNativeQuery("select count(*) filter (where active_state = 'failed'),"
                        + " count(*) filter (where active_state = 'active'), count(*)"
                        + " from machine_unit where org_id = :o and managed")
                .setParameter("o", org)
                .getSingleResult();
        int failed = ((Number) r[0]).intValue();
        int active = ((Number) r[1]).intValue();
        int all = ((Number) r[2]).intValue();
        if (all == 0) {
            return List.of();
        }
        return List.of(
                new Overview.Count("failed", failed),
                new Overview.Count("active", active),
                new Overview.Count("other", all - failed - active));
    }

    /**
     * The units that failed on most machines first (from the index of failed placements, which
     * is small however big the fleet), then the others by name, {@link #SHOWN} in all.
     */
    private List<Overview.UnitRow> units(UUID org) {
        @SuppressWarnings("unchecked")
        List<String> names = new ArrayList<>(em.createNativeQuery("select name from machine_unit"
                        + " where org_id = :o and managed and active_state = 'failed'"
                        + " group by name order by count(*) desc, name limit :n")
                .setParameter("o", org)
                .setParameter("n", SHOWN)
                .getResultList());
        if (names.size() < SHOWN) {
            @SuppressWarnings("unchecked")
            List<String> others = em.createNativeQuery(
                            "select name from unit where org_id = :o and name not in (:failed)"
                                    + " order by name limit :n")
                    .setParameter("o", org)
                    .setParameter("failed", names.isEmpty() ? List.of("") : List.copyOf(names))
                    .setParameter("n", SHOWN - names.size())
                    .getResultList();
            names.addAll(others);
        }
        if (names.isEmpty()) {
            return List.of();
        }
        List<String> wanted = List.copyOf(names);
        @SuppressWarnings("unchecked")
        List<Object[]> counts = em.createNativeQuery("select name, count(*),"
                        + " count(*) filter (where active_state = 'active'),"
                        + " count(*) filter (where active_state = 'failed')"
                        + " from machine_unit where org_id = :o and managed and name in (:names)"
                        + " group by name")
                .setParameter("o", org)
                .setParameter("names", wanted)
                .getResultList();
        @SuppressWarnings("unchecked")
        List<Object[]> hosts = em.createNativeQuery("select name, id, hostname from ("
                        + " select u.name, m.id, m.hostname,"
                        + "   row_number() over (partition by u.name order by m.hostname, m.id) as n"
                        + " from machine_unit u join machine m on m.org_id = u.org_id and m.id = u.machine_id"
                        + " where u.org_id = :o and u.managed and u.active_state = 'failed'"
                        + "   and u.name in (:names)) f"
                        + " where n <= :h order by name, n")
                .setParameter("o", org)
                .setParameter("names", wanted)
                .setParameter("h", HOSTS)
                .getResultList();
        Map<String, int[]> byName = new LinkedHashMap<>();
        for (Object[] r : counts) {
            byName.put(
                    (String) r[0],
                    new int[] {((Number) r[1]).intValue(), ((Number) r[2]).intValue(), ((Number) r[3]).intValue()});
        }
        Map<String, List<Overview.Host>> failedOn = new LinkedHashMap<>();
        for (Object[] r : hosts) {
            failedOn.computeIfAbsent((String) r[0], k -> new ArrayList<>())
                    .add(new Overview.Host((String) r[1], (String) r[2]));
        }
        return names.stream()
                .map(n -> {
                    int[] c = byName.getOrDefault(n, new int[3]);
                    return new Overview.UnitRow(n, c[0], c[1], c[2], failedOn.getOrDefault(n, List.of()));
                })
                .toList();
    }

    /** Rollouts running or paused, with their machines so far. */
    private List<Overview.RolloutRow> rollouts(UUID org) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select r.unit_name, r.state,"
                        + " count(m.machine_id) filter (where m.state = 'healthy'),"
                        + " count(m.machine_id) filter (where m.state = 'updating'),"
                        + " count(m.machine_id) filter (where m.state = 'failed'),"
                        + " (select count(*) from desired_unit d where d.org_id = r.org_id and d.unit_name = r.unit_name)"
                        + " from rollout r left join rollout_machine m on m.rollout_id = r.id"
                        + " where r.org_id = :o and r.state in ('running', 'paused')"
                        + " group by r.id order by r.created_at limit :n")
                .setParameter("o", org)
                .setParameter("n", SHOWN)
                .getResultList();
        return rows.stream()
                .map(r -> new Overview.RolloutRow(
                        (String) r[0],
                        (String) r[1],
                        ((Number) r[2]).intValue(),
                        ((Number) r[3]).intValue(),
                        ((Number) r[4]).intValue(),
                        ((Number) r[5]).intValue()))
                .toList();
    }

    /** Policies with live leases, or whose leases completed in the last 24 hours ({@code default} included). */
    private List<Overview.PolicyRow> policies(UUID org, Instant now) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select coalesce(p.name, 'default'), coalesce(p.max_parallel, '1'),"
                        + " coalesce(p.paused, false),"
                        + " count(*) filter (where l.ended_at is null and l.expires_at > :now),"
                        + " count(*) filter (where l.outcome = 'complete' and l.ended_at > :since)"
                        + " from update_lease l left join update_policy p on p.org_id = l.org_id and p.id = l.policy_id"
                        + " where l.org_id = :o and (l.ended_at is null or l.ended_at > :since)"
                        // kept before the limit: groups of only expired leases must not take the places
                        + " group by 1, 2, 3"
                        + " having count(*) filter (where l.ended_at is null and l.expires_at > :now) > 0"
                        + " or count(*) filter (where l.outcome = 'complete' and l.ended_at > :since) > 0"
                        + " order by 4 desc, 5 desc, 1 limit :n")
                .setParameter("o", org)
                .setParameter("now", utc(now))
                .setParameter("since", utc(now.minus(Duration.ofHours(24))))
                .setParameter("n", SHOWN)
                .getResultList();
        return rows.stream()
                .map(r -> new Overview.PolicyRow(
                        (String) r[0], ((Number) r[3]).intValue(), (String) r[1], ((Number) r[4]).intValue(), (Boolean)
                                r[2]))
                .toList();
    }

    /** Machines whose agent reported pending updates and that hold no lease: waiting for a window or a slot. */
    private int waitingForUpdate(UUID org, Instant now) {
        return ((Number) em.createNativeQuery("select count(*) from machine_update u where u.org_id = :o"
                                + " and u.pending > 0 and not exists (select 1 from update_lease l"
                                + "   where l.org_id = u.org_id and l.holder = u.machine_id"
                                + "   and l.ended_at is null and l.expires_at > :now)")
                        .setParameter("o", org)
                        .setParameter("now", utc(now))
                        .getSingleResult())
                .intValue();
    }

    private static List<Overview.Count> first(List<Overview.Count> all) {
        return all.subList(0, Math.min(SHOWN, all.size()));
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
