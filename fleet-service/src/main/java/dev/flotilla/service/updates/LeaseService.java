package dev.flotilla.service.updates;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.flotilla.api.rest.Page;
import dev.flotilla.api.rest.UpdateLeaseView;
import dev.flotilla.service.common.AdvisoryLocks;
import dev.flotilla.service.common.Cursor;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.common.SqlValues;
import dev.flotilla.service.common.TimeService;
import dev.flotilla.service.updates.LeaseRules.Decision;

/**
 * Leases: permission for one machine (or FleetLock node) to update and reboot now. Every decision
 * for a policy runs under a PostgreSQL advisory lock of that policy, in one transaction, so the
 * limits hold across replicas and under any concurrency: expired leases are ended (timed out),
 * then the holder's live lease is returned (locks are recursive), else the rules are checked in
 * order: policy paused, machine paused, outside every window, at most maxParallel live leases
 * (one while safe mode is unproven), at most maxPerPeriod granted per period.
 */
@ApplicationScoped
@Transactional
public class LeaseService {

    @Inject
    EntityManager em;

    @Inject
    TimeService time;

    @Inject
    UpdatePolicyService policies;

    @Inject
    dev.flotilla.service.audit.AuditLog audit;

    /** Asks for a lease for {@code holder} under {@code policy}. */
    Decision request(UUID org, Policy policy, String holder, String kind, boolean machinePaused) {
        lock(org, policy);
        Instant now = time.now();
        Policy p = expire(org, policy, now);
        endExpiredOf(org, holder, now);
        Optional<UpdateLeaseView> live = liveLease(org, holder, now);
        if (live.isPresent()) {
            return new Decision("granted", "holds a lease until " + live.get().expiresAt(), null, live.get());
        }
        Decision refusal = refusal(org, p, machinePaused, now);
        if (refusal != null) {
            return refusal;
        }
        UUID id = UUID.randomUUID();
        Instant expires = now.plus(p.timeout());
        em.createNativeQuery(
                        "insert into update_lease (org_id, id, policy_id, holder, kind, granted_at, expires_at)"
                                + " values (:o, :id, nullif(cast(:p as uuid), '00000000-0000-0000-0000-000000000000'), :h, :k, :now, :exp)")
                .setParameter("o", org)
                .setParameter("id", id)
                .setParameter("p", Policy.key(p))
                .setParameter("h", holder)
                .setParameter("k", kind)
                .setParameter("now", Timestamp.from(now))
                .setParameter("exp", Timestamp.from(expires))
                .executeUpdate();
        UpdateLeaseView lease =
                new UpdateLeaseView(id.toString(), holder, kind, p.name(), now, expires, null, null, null, null);
        // Audited when granted and when ended, not at each ask: Zincati asks every few minutes while it
        // waits, and the limits bound the grants.
        audit.record(
                org,
                kind.equals("agent") ? "agent:" + holder : holder,
                "update-lease.grant",
                holder,
                "lease " + id + " of policy " + p.name() + " until " + expires);
        return new Decision("granted", "granted until " + expires, null, lease);
    }

    /**
     * Why {@code policy} would refuse a lease now ({@link LeaseRules#refusal}), or null when it
     * would grant one. Call under the policy's lock for a decision that holds.
     */
    Decision refusal(UUID org, Policy p, boolean machinePaused, Instant now) {
        return LeaseRules.refusal(p, machinePaused, now, ledger(org, p, now));
    }

    /** The policy's leases and machines as the rules read them, each read only when asked. */
    private LeaseRules.Ledger ledger(UUID org, Policy p, Instant now) {
        return new LeaseRules.Ledger() {
            @Override
            public int machines() {
                return policies.machines(org, p);
            }

            @Override
            public int live() {
                return count(org, p, "ended_at is null and expires_at > :now", now, null);
            }

            @Override
            public int grantedSince(Instant since) {
                return count(org, p, "granted_at > :since", now, since);
            }

            @Override
            public Instant oldestGrantSince(Instant since) {
                return SqlValues.instant(em.createNativeQuery("select min(granted_at) from update_lease"
                                + " where org_id = :o and coalesce(policy_id, '00000000-0000-0000-0000-000000000000')"
                                + " = cast(:p as uuid) and granted_at > :since")
                        .setParameter("o", org)
                        .setParameter("p", Policy.key(p))
                        .setParameter("since", Timestamp.from(since))
                        .getSingleResult());
            }
        };
    }

    /**
     * Ends {@code holder}'s live lease: {@code complete} (steady state after the update; proves a
     * policy in safe mode), {@code failed} (counts towards safe mode's pause). Returns whether it
     * held one.
     */
    boolean end(UUID org, String holder, String outcome, String detail, String by) {
        // Under the policy's lock too, so that grants and ends of one policy are ordered in time
        // as in the database (a lease's end is never stamped after a grant it made room for).
        List<?> held = em.createNativeQuery("select coalesce(cast(policy_id as text), '') from update_lease"
                        + " where org_id = :o and holder = :h and ended_at is null")
                .setParameter("o", org)
                .setParameter("h", holder)
                .getResultList();
        if (held.isEmpty()) {
            return false;
        }
        String heldPolicy = (String) held.get(0);
        lock(org, heldPolicy.isEmpty() ? null : UUID.fromString(heldPolicy));
        Instant now = time.now();
        @SuppressWarnings("unchecked")
        List<Object> policyIds = em.createNativeQuery(
                        "update update_lease set ended_at = :now, outcome = :out, detail = :d,"
                                + " ended_by = :by where org_id = :o and holder = :h and ended_at is null"
                                + " and coalesce(cast(policy_id as text), '') = :held returning policy_id")
                .setParameter("now", Timestamp.from(now))
                .setParameter("out", outcome)
                .setParameter("d", detail)
                .setParameter("by", by)
                .setParameter("o", org)
                .setParameter("h", holder)
                .setParameter("held", heldPolicy)
                .getResultList();
        if (policyIds.isEmpty()) {
            return false; // it ended (and maybe another began) between the look and the lock
        }
        UUID policyId = (UUID) policyIds.get(0);
        audit.record(org, by, "update-lease.end", holder, outcome + (detail == null ? "" : ": " + detail));
        if (policyId != null) {
            if (outcome.equals("complete")) {
                em.createNativeQuery("update update_policy set proven = true where org_id = :o and id = :p")
                        .setParameter("o", org)
                        .setParameter("p", policyId)
                        .executeUpdate();
            } else if (outcome.equals("failed")) {
                failed(org, policyId, 1);
            }
        }
        return true;
    }

    /** A policy's leases, newest first: its timeline. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<UpdateLeaseView> leases(UUID org, String policyName, String cursor, int limit) {
        Policy p = policies.getNamed(org, policyName);
        String sql = "select l.id, l.holder, l.kind, l.granted_at, l.expires_at, l.ended_at, l.outcome, l.detail,"
                + " l.ended_by from update_lease l where l.org_id = :o and coalesce(l.policy_id, '00000000-0000-0000-0000-000000000000') = cast(:p as uuid)";
        Instant before = null;
        String beforeId = null;
        if (cursor != null) {
            List<String> parts = Cursor.decode(cursor, 2);
            try {
                before = Instant.parse(parts.get(0));
            } catch (java.time.format.DateTimeParseException e) {
                throw ProblemException.badRequest("invalid cursor");
            }
            beforeId = parts.get(1);
            sql += " and (l.granted_at, l.id::text) < (:bt, :bid)";
        }
        var q = em.createNativeQuery(sql + " order by l.granted_at desc, l.id::text desc limit :l")
                .setParameter("o", org)
                .setParameter("p", Policy.key(p))
                .setParameter("l", limit + 1);
        if (before != null) {
            q.setParameter("bt", Timestamp.from(before)).setParameter("bid", beforeId);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = q.getResultList();
        List<UpdateLeaseView> items = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, rows.size()); i++) {
            items.add(leaseView(rows.get(i), p.name()));
        }
        String next = rows.size() > limit
                ? Cursor.encode(
                        items.get(items.size() - 1).grantedAt().toString(),
                        items.get(items.size() - 1).id())
                : null;
        return new Page<>(items, next);
    }

    private void lock(UUID org, Policy p) {
        lock(org, p.id());
    }

    /** Takes the advisory lock of one policy's decisions ({@code policyId} null: the default policy). */
    private void lock(UUID org, UUID policyId) {
        lock(em, org, policyId);
    }

    /** The advisory lock of one policy's lease decisions, for whoever changes its leases. */
    static void lock(EntityManager em, UUID org, UUID policyId) {
        long key = org.getMostSignificantBits() ^ org.getLeastSignificantBits();
        if (policyId != null) {
            key ^= policyId.getMostSignificantBits() * 31 + policyId.getLeastSignificantBits();
        }
        em.createNativeQuery("select pg_advisory_xact_lock(:c, :k)")
                .setParameter("c", AdvisoryLocks.LEASES)
                .setParameter("k", (int) (key ^ (key >>> 32)))
                .getSingleResult();
    }

    /**
     * Ends the holder's own expired lease whatever its policy (one it held under another policy,
     * before its labels or group changed): it would otherwise block its next lease forever. Ending
     * an expired lease frees a slot and never takes one, so the other policy's lock is not needed.
     */
    private void endExpiredOf(UUID org, String holder, Instant now) {
        @SuppressWarnings("unchecked")
        List<Object> ended = em.createNativeQuery(
                        "update update_lease set ended_at = expires_at, outcome = 'timed_out',"
                                + " detail = 'no steady state within the update timeout' where org_id = :o and holder = :h"
                                + " and ended_at is null and expires_at <= :now returning policy_id")
                .setParameter("o", org)
                .setParameter("h", holder)
                .setParameter("now", Timestamp.from(now))
                .getResultList();
        for (Object policyId : ended) {
            if (policyId != null) {
                failed(org, (UUID) policyId, 1);
            }
        }
    }

    /** Ends the policy's expired leases as timed out (counted as failures); returns the policy as it now is. */
    private Policy expire(UUID org, Policy p, Instant now) {
        int n = em.createNativeQuery(
                        "update update_lease set ended_at = expires_at, outcome = 'timed_out',"
                                + " detail = 'no steady state within the update timeout'"
                                + " where org_id = :o and coalesce(policy_id, '00000000-0000-0000-0000-000000000000') = cast(:p as uuid) and ended_at is null and expires_at <= :now")
                .setParameter("o", org)
                .setParameter("p", Policy.key(p))
                .setParameter("now", Timestamp.from(now))
                .executeUpdate();
        if (p.isDefault()) {
            return p;
        }
        if (n > 0) {
            failed(org, p.id(), n);
        }
        return policies.find(org, p.name()).orElse(p);
    }

    private void failed(UUID org, UUID policyId, int n) {
        em.createNativeQuery("update update_policy set failures = failures + :n,"
                        + " paused = case when safe_mode and failures + :n >= safe_failures then true else paused end,"
                        + " paused_reason = case when safe_mode and failures + :n >= safe_failures and not paused"
                        + " then 'safe mode: ' || (failures + :n) || ' update(s) failed or timed out' else paused_reason end"
                        + " where org_id = :o and id = :p")
                .setParameter("n", n)
                .setParameter("o", org)
                .setParameter("p", policyId)
                .executeUpdate();
    }

    private int count(UUID org, Policy p, String condition, Instant now, Instant since) {
        var q = em.createNativeQuery("select count(*) from update_lease where org_id = :o"
                        + " and coalesce(policy_id, '00000000-0000-0000-0000-000000000000') = cast(:p as uuid) and "
                        + condition)
                .setParameter("o", org)
                .setParameter("p", Policy.key(p));
        if (condition.contains(":now")) {
            q.setParameter("now", Timestamp.from(now));
        }
        if (since != null) {
            q.setParameter("since", Timestamp.from(since));
        }
        return ((Number) q.getSingleResult()).intValue();
    }

    /** {@code holder}'s live lease, if any. */
    Optional<UpdateLeaseView> liveLease(UUID org, String holder, Instant now) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "select l.id, l.holder, l.kind, l.granted_at, l.expires_at, l.ended_at,"
                                + " l.outcome, l.detail, l.ended_by, coalesce(p.name, 'default') from update_lease l"
                                + " left join update_policy p on p.org_id = l.org_id and p.id = l.policy_id"
                                + " where l.org_id = :o and l.holder = :h and l.ended_at is null and l.expires_at > :now")
                .setParameter("o", org)
                .setParameter("h", holder)
                .setParameter("now", Timestamp.from(now))
                .getResultList();
        return rows.stream().findFirst().map(r -> leaseView(r, (String) r[9]));
    }

    /** A lease by its id, live or ended. */
    Optional<UpdateLeaseView> lease(UUID org, UUID id) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "select l.id, l.holder, l.kind, l.granted_at, l.expires_at, l.ended_at,"
                                + " l.outcome, l.detail, l.ended_by, coalesce(p.name, 'default') from update_lease l"
                                + " left join update_policy p on p.org_id = l.org_id and p.id = l.policy_id"
                                + " where l.org_id = :o and l.id = :id")
                .setParameter("o", org)
                .setParameter("id", id)
                .getResultList();
        return rows.stream().findFirst().map(r -> leaseView(r, (String) r[9]));
    }

    private static UpdateLeaseView leaseView(Object[] r, String policy) {
        return new UpdateLeaseView(
                r[0].toString(),
                (String) r[1],
                (String) r[2],
                policy,
                SqlValues.instant(r[3]),
                SqlValues.instant(r[4]),
                SqlValues.instant(r[5]),
                (String) r[6],
                (String) r[7],
                (String) r[8]);
    }
}
