package dev.flotilla.service.updates;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.flotilla.api.rest.MachineUpdateView;
import dev.flotilla.api.rest.Page;
import dev.flotilla.api.rest.UpdateLeaseView;
import dev.flotilla.service.common.Cursor;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.common.SqlValues;
import dev.flotilla.service.common.TimeService;

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
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(LeaseService.class);
    /** The advisory lock class of lease decisions (two-key form: class, policy). */
    private static final int LOCK_CLASS = 7010;

    @Inject
    EntityManager em;

    @Inject
    TimeService time;

    @Inject
    UpdatePolicyService policies;

    @Inject
    dev.flotilla.service.audit.AuditLog audit;

    /** What a request for a lease got. */
    public record Decision(String state, String reason, Instant nextPossibleAt, UpdateLeaseView lease) {
        public boolean granted() {
            return lease != null;
        }
    }

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
        return new Decision("granted", "granted until " + expires, null, lease);
    }

    /**
     * Why {@code policy} would refuse a lease now, or null when it would grant one. Call under the
     * policy's lock for a decision that holds.
     */
    Decision refusal(UUID org, Policy p, boolean machinePaused, Instant now) {
        if (!p.enabled()) {
            return new Decision(
                    "paused",
                    "updates are paused for policy " + p.name()
                            + (p.pausedReason() == null ? "" : ": " + p.pausedReason()),
                    null,
                    null);
        }
        if (machinePaused) {
            return new Decision("paused", "updates are paused for this machine", null, null);
        }
        if (!p.schedule().isOpen(now)) {
            Instant next = p.schedule().nextOpening(now).orElse(null);
            return new Decision(
                    "waiting_for_window",
                    "outside every window of policy " + p.name() + (next == null ? "" : "; the next opens at " + next),
                    next,
                    null);
        }
        int holding = count(org, p, "ended_at is null and expires_at > :now", now, null);
        int limit = p.parallelLimit(policies.machines(org, p));
        if (holding >= limit) {
            String why = p.safeMode() && !p.proven()
                    ? "safe mode: the first machine updates alone (" + holding + " updating)"
                    : holding + " of " + limit + " machines allowed at once are updating";
            return new Decision("on_hold", why, null, null);
        }
        if (p.maxPerPeriod() != null) {
            Instant since = now.minus(p.period());
            int granted = count(org, p, "granted_at > :since", now, since);
            if (granted >= p.maxPerPeriod()) {
                Instant oldest = SqlValues.instant(em.createNativeQuery(
                                "select min(granted_at) from update_lease"
                                        + " where org_id = :o and coalesce(policy_id, '00000000-0000-0000-0000-000000000000') = cast(:p as uuid) and granted_at > :since")
                        .setParameter("o", org)
                        .setParameter("p", Policy.key(p))
                        .setParameter("since", Timestamp.from(since))
                        .getSingleResult());
                Instant free = oldest == null ? null : oldest.plus(p.period());
                return new Decision(
                        "on_hold",
                        granted + " updates started in the last " + p.period() + " (at most " + p.maxPerPeriod() + ")",
                        free,
                        null);
            }
        }
        return null;
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

    /** An operator's release of a lease, by its id, recorded in the audit table. */
    public UpdateLeaseView release(UUID org, String leaseId, String actor) {
        UUID id = uuid(leaseId);
        UpdateLeaseView lease = lease(org, id).orElseThrow(() -> ProblemException.notFound("lease " + leaseId));
        Optional<Policy> policy = policies.named(org, lease.policy());
        lock(org, policy.map(Policy::id).orElse(null));
        lease = lease(org, id).orElseThrow();
        if (lease.endedAt() != null) {
            throw ProblemException.conflict("lease " + leaseId + " ended already (" + lease.outcome() + ")");
        }
        em.createNativeQuery("update update_lease set ended_at = :now, outcome = 'released', ended_by = :by,"
                        + " detail = 'released by hand' where org_id = :o and id = :id")
                .setParameter("now", Timestamp.from(time.now()))
                .setParameter("by", actor)
                .setParameter("o", org)
                .setParameter("id", id)
                .executeUpdate();
        audit.record(
                org,
                actor,
                "update-lease.release",
                lease.holder(),
                "lease " + leaseId + " of policy " + lease.policy());
        return lease(org, id).orElseThrow();
    }

    /**
     * Cancels a policy's rollout: the policy is paused and every live lease ends ({@code released},
     * "rollout cancelled"), in one transaction under the policy's lock. Machines in the middle of
     * their update command finish it; none starts until the policy is resumed.
     */
    public dev.flotilla.api.rest.UpdatePolicyView cancel(UUID org, String name, String actor) {
        Policy p = policies.get(org, name);
        lock(org, p);
        int n = em.createNativeQuery("update update_lease set ended_at = :now, outcome = 'released',"
                        + " detail = 'rollout cancelled', ended_by = :by where org_id = :o"
                        + " and policy_id = cast(:p as uuid) and ended_at is null")
                .setParameter("now", Timestamp.from(time.now()))
                .setParameter("by", actor)
                .setParameter("o", org)
                .setParameter("p", Policy.key(p))
                .executeUpdate();
        em.createNativeQuery("update update_policy set enabled = false, paused_reason = :why, updated_at = now()"
                        + " where org_id = :o and id = cast(:p as uuid)")
                .setParameter("why", "rollout cancelled by " + actor)
                .setParameter("o", org)
                .setParameter("p", Policy.key(p))
                .executeUpdate();
        audit.record(org, actor, "update-policy.cancel", name, n + " live lease(s) released");
        return policies.view(org, name);
    }

    /** A machine's update status: its policy, whether it may update now, if not why, and its progress. */
    public MachineUpdateView machine(UUID org, String machineId, Map<String, String> labels) {
        Policy p = UpdatePolicyService.forLabels(policies.all(org), labels);
        return status(org, machineId, p, time.now(), null);
    }

    /** The policy's decision for any machine of it that is not paused (null: it would grant). */
    private record Shared(Decision decision) {}

    /**
     * One machine's status under policy {@code p}. {@code shared}: the policy's decision for its
     * machines that are not paused, when already worked out (a page of one policy's machines
     * shares it: the limits are the policy's, not the machine's); null to work it out here.
     */
    private MachineUpdateView status(UUID org, String machineId, Policy p, Instant now, Shared shared) {
        Reported r = reported(org, machineId);
        Optional<UpdateLeaseView> live = liveLease(org, machineId, now);
        String state;
        String reason;
        Instant next = null;
        if (live.isPresent()) {
            state = "granted";
            reason = "holds a lease until " + live.get().expiresAt();
        } else {
            Decision d = r.paused() || shared == null ? refusal(org, p, r.paused(), now) : shared.decision();
            state = d == null ? "ready" : d.state();
            reason = d == null ? "would get a lease now" : d.reason();
            next = d == null ? null : d.nextPossibleAt();
        }
        String progress = progress(org, machineId, r, live.isPresent(), state);
        return new MachineUpdateView(
                machineId,
                p.name(),
                state,
                reason,
                next,
                r.paused(),
                live.orElse(null),
                progress,
                r.pending(),
                r.security(),
                r.targetVersion(),
                r.osVersion(),
                r.detail(),
                r.at());
    }

    /** What a machine's agent last reported of its updates. */
    private record Reported(
            boolean paused,
            String state,
            Integer pending,
            Integer security,
            String targetVersion,
            String osVersion,
            String detail,
            Instant at) {}

    private Reported reported(UUID org, String machineId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "select paused, state, pending, security, target_version, os_version, detail,"
                                + " reported_at from machine_update where org_id = :o and machine_id = :m")
                .setParameter("o", org)
                .setParameter("m", machineId)
                .getResultList();
        if (rows.isEmpty()) {
            return new Reported(false, null, null, null, null, null, null, null);
        }
        Object[] r = rows.get(0);
        return new Reported(
                (Boolean) r[0],
                (String) r[1],
                r[2] == null ? null : ((Number) r[2]).intValue(),
                r[3] == null ? null : ((Number) r[3]).intValue(),
                (String) r[4],
                (String) r[5],
                (String) r[6],
                SqlValues.instant(r[7]));
    }

    /**
     * One word for where a machine's update stands: the agent's own word while it holds a lease
     * (updating, rebooting) or after its last attempt (complete, failed); a lease that expired
     * after the last report is timed_out; with updates pending and no lease, the lease decision.
     */
    private String progress(UUID org, String machineId, Reported r, boolean holding, String decision) {
        if (holding) {
            return "updating".equals(r.state()) || "rebooting".equals(r.state()) ? r.state() : "granted";
        }
        @SuppressWarnings("unchecked")
        List<Object[]> last = em.createNativeQuery("select outcome, ended_at from update_lease where org_id = :o"
                        + " and holder = :h and ended_at is not null order by ended_at desc limit 1")
                .setParameter("o", org)
                .setParameter("h", machineId)
                .getResultList();
        if (!last.isEmpty() && "timed_out".equals(last.get(0)[0])) {
            Instant ended = SqlValues.instant(last.get(0)[1]);
            if (r.at() == null || r.at().isBefore(ended)) {
                return "timed_out";
            }
        }
        if ("failed".equals(r.state())) {
            return "failed";
        }
        if (r.pending() != null && r.pending() > 0) {
            return decision.equals("ready") ? "pending" : decision;
        }
        if ("complete".equals(r.state())) {
            return "complete";
        }
        if ("idle".equals(r.state()) && !last.isEmpty() && "complete".equals(last.get(0)[0])) {
            return "complete"; // its last update completed and nothing is pending since
        }
        return r.state() == null ? "idle" : r.state();
    }

    /**
     * An agent's update report: stored; {@code complete} and {@code failed} end the machine's
     * lease as such (complete proves a policy in safe mode; failed counts towards its pause).
     */
    public void reported(UUID org, String machineId, dev.flotilla.api.protocol.UpdateReport report) {
        em.createNativeQuery("insert into machine_update (org_id, machine_id, state, pending, security, target_version,"
                        + " os_version, detail, reported_at) values (:o, :m, :s, :p, :sec, :t, :os, :d, :at)"
                        + " on conflict (org_id, machine_id) do update set state = :s, pending = :p, security = :sec,"
                        + " target_version = :t, os_version = :os, detail = :d, reported_at = :at")
                .setParameter("o", org)
                .setParameter("m", machineId)
                .setParameter("s", report.state())
                .setParameter("p", report.pending())
                .setParameter("sec", report.security())
                .setParameter("t", report.targetVersion())
                .setParameter("os", report.osVersion())
                .setParameter("d", report.detail())
                .setParameter("at", Timestamp.from(time.now()))
                .executeUpdate();
        if (report.state().equals("complete") || report.state().equals("failed")) {
            boolean held = end(org, machineId, report.state(), report.detail(), "agent:" + machineId);
            LOG.infof("machine %s reports its update %s%s", machineId, report.state(), held ? "; its lease ended" : "");
        }
    }

    @Inject
    dev.flotilla.service.machine.MachineService machines;

    /** The machines that follow a policy, each with its update status; pages as the machine list does. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<MachineUpdateView> machinesOf(UUID org, String policyName, String cursor, int limit) {
        Policy p = policies.getNamed(org, policyName);
        Page<dev.flotilla.api.rest.MachineView> page =
                machines.list(new dev.flotilla.service.machine.MachineService.MachineQuery(
                        org, p.selector(), null, null, cursor, limit));
        List<Policy> all = policies.all(org);
        Instant now = time.now();
        Shared open = new Shared(refusal(org, p, false, now)); // once for the page, not per machine
        List<MachineUpdateView> items = new ArrayList<>();
        for (var m : page.items()) {
            if (UpdatePolicyService.forLabels(all, m.labels()).name().equals(p.name())) {
                items.add(status(org, m.id(), p, now, open));
            }
        }
        return new Page<>(items, page.nextCursor());
    }

    /** Asks for a lease for a machine (an agent), under the policy its labels select. */
    public Decision requestForMachine(UUID org, String machineId, Map<String, String> labels) {
        Policy p = UpdatePolicyService.forLabels(policies.all(org), labels);
        return request(org, p, machineId, "agent", machinePaused(org, machineId));
    }

    public void setMachinePaused(UUID org, String machineId, boolean paused, String actor) {
        em.createNativeQuery("insert into machine_update (org_id, machine_id, paused) values (:o, :m, :p)"
                        + " on conflict (org_id, machine_id) do update set paused = :p, updated_at = now()")
                .setParameter("o", org)
                .setParameter("m", machineId)
                .setParameter("p", paused)
                .executeUpdate();
        audit.record(org, actor, paused ? "machine-update.pause" : "machine-update.resume", machineId, null);
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
                .setParameter("c", LOCK_CLASS)
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
                        + " enabled = case when safe_mode and failures + :n >= safe_failures then false else enabled end,"
                        + " paused_reason = case when safe_mode and failures + :n >= safe_failures and enabled"
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

    private boolean machinePaused(UUID org, String machineId) {
        List<?> rows = em.createNativeQuery("select paused from machine_update where org_id = :o and machine_id = :m")
                .setParameter("o", org)
                .setParameter("m", machineId)
                .getResultList();
        return !rows.isEmpty() && (Boolean) rows.get(0);
    }

    private Optional<UpdateLeaseView> liveLease(UUID org, String holder, Instant now) {
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

    private Optional<UpdateLeaseView> lease(UUID org, UUID id) {
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

    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("lease " + id);
        }
    }
}
