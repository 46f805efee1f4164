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
import dev.flotilla.service.audit.AuditLog;
import dev.flotilla.service.common.SqlValues;
import dev.flotilla.service.common.TimeService;
import dev.flotilla.service.machine.MachineService;
import dev.flotilla.service.updates.LeaseRules.Decision;
import dev.flotilla.service.updates.LeaseRules.LastLease;
import dev.flotilla.service.updates.LeaseRules.Reported;

/**
 * Machines and their updates: what each agent reports (stored; complete and failed end its
 * lease), its pause, its lease requests under the policy its labels select, and its status — the
 * policy, whether it may update now and if not why ({@link LeaseService}), and where its update
 * stands ({@link LeaseRules#progress}).
 */
@ApplicationScoped
@Transactional
public class MachineUpdateService {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(MachineUpdateService.class);

    @Inject
    EntityManager em;

    @Inject
    TimeService time;

    @Inject
    UpdatePolicyService policies;

    @Inject
    LeaseService leases;

    @Inject
    AuditLog audit;

    @Inject
    MachineService machines;

    /** A machine's update status: its policy, whether it may update now, if not why, and its progress. */
    public MachineUpdateView machine(UUID org, String machineId, Map<String, String> labels) {
        Policy p = UpdatePolicyService.forLabels(policies.all(org), labels);
        return status(org, machineId, p, time.now(), null);
    }

    /**
     * The names of the policies machines with these label sets would follow, in the same order (the
     * first policy that matches, else {@code default}): a label change's preview, before and after.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<String> policiesFor(UUID org, List<Map<String, String>> labelSets) {
        List<Policy> all = policies.all(org);
        return labelSets.stream()
                .map(labels -> UpdatePolicyService.forLabels(all, labels).name())
                .toList();
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
        Optional<UpdateLeaseView> live = leases.liveLease(org, machineId, now);
        String state;
        String reason;
        Instant next = null;
        if (live.isPresent()) {
            state = "granted";
            reason = "holds a lease until " + live.get().expiresAt();
        } else {
            Decision d = r.paused() || shared == null ? leases.refusal(org, p, r.paused(), now) : shared.decision();
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

    private Reported reported(UUID org, String machineId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "select paused, state, pending, security, target_version, os_version, detail,"
                                + " reported_at from machine_update where org_id = :o and machine_id = :m")
                .setParameter("o", org)
                .setParameter("m", machineId)
                .getResultList();
        if (rows.isEmpty()) {
            return Reported.NOTHING;
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

    /** Where the machine's update stands ({@link LeaseRules#progress}), with its last ended lease read here. */
    private String progress(UUID org, String machineId, Reported r, boolean holding, String decision) {
        @SuppressWarnings("unchecked")
        List<Object[]> last = em.createNativeQuery("select outcome, ended_at from update_lease where org_id = :o"
                        + " and holder = :h and ended_at is not null order by ended_at desc limit 1")
                .setParameter("o", org)
                .setParameter("h", machineId)
                .getResultList();
        LastLease lastLease = last.isEmpty()
                ? LastLease.NONE
                : new LastLease((String) last.get(0)[0], SqlValues.instant(last.get(0)[1]));
        return LeaseRules.progress(r, holding, lastLease, decision);
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
            boolean held = leases.end(org, machineId, report.state(), report.detail(), "agent:" + machineId);
            LOG.infof("machine %s reports its update %s%s", machineId, report.state(), held ? "; its lease ended" : "");
        }
    }

    /** The machines that follow a policy, each with its update status; pages as the machine list does. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<MachineUpdateView> machinesOf(UUID org, String policyName, String cursor, int limit) {
        Policy p = policies.getNamed(org, policyName);
        Page<dev.flotilla.api.rest.MachineView> page =
                machines.list(new MachineService.MachineQuery(org, p.selector(), null, null, cursor, limit));
        List<Policy> all = policies.all(org);
        Instant now = time.now();
        Shared open = new Shared(leases.refusal(org, p, false, now)); // once for the page, not per machine
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
        return leases.request(org, p, machineId, "agent", machinePaused(org, machineId));
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

    private boolean machinePaused(UUID org, String machineId) {
        List<?> rows = em.createNativeQuery("select paused from machine_update where org_id = :o and machine_id = :m")
                .setParameter("o", org)
                .setParameter("m", machineId)
                .getResultList();
        return !rows.isEmpty() && (Boolean) rows.get(0);
    }
}
