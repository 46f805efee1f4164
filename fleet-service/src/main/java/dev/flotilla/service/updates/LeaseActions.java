package dev.flotilla.service.updates;

import java.sql.Timestamp;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.flotilla.api.rest.UpdateLeaseView;
import dev.flotilla.api.rest.UpdatePolicyView;
import dev.flotilla.service.audit.AuditLog;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.common.TimeService;

/**
 * What operators do to leases by hand: release one, or cancel a policy's rollout. Each takes the
 * policy's lease lock ({@link LeaseService#lock}), so it is ordered with the grants, and is audited.
 */
@ApplicationScoped
@Transactional
public class LeaseActions {
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

    /** An operator's release of a lease, by its id, recorded in the audit table. */
    public UpdateLeaseView release(UUID org, String leaseId, String actor) {
        UUID id = uuid(leaseId);
        UpdateLeaseView lease = leases.lease(org, id).orElseThrow(() -> ProblemException.notFound("lease " + leaseId));
        Optional<Policy> policy = policies.named(org, lease.policy());
        LeaseService.lock(em, org, policy.map(Policy::id).orElse(null));
        lease = leases.lease(org, id).orElseThrow();
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
        return leases.lease(org, id).orElseThrow();
    }

    /**
     * Cancels a policy's rollout: the policy is paused and every live lease ends ({@code released},
     * "updates cancelled"), in one transaction under the policy's lock. Machines in the middle of
     * their update command finish it; none starts until the policy is resumed.
     */
    public UpdatePolicyView cancel(UUID org, String name, String actor) {
        Policy p = policies.get(org, name);
        LeaseService.lock(em, org, p.id());
        int n = em.createNativeQuery("update update_lease set ended_at = :now, outcome = 'released',"
                        + " detail = 'updates cancelled', ended_by = :by where org_id = :o"
                        + " and policy_id = cast(:p as uuid) and ended_at is null")
                .setParameter("now", Timestamp.from(time.now()))
                .setParameter("by", actor)
                .setParameter("o", org)
                .setParameter("p", Policy.key(p))
                .executeUpdate();
        em.createNativeQuery("update update_policy set paused = true, paused_reason = :why, updated_at = now()"
                        + " where org_id = :o and id = cast(:p as uuid)")
                .setParameter("why", "updates cancelled by " + actor)
                .setParameter("o", org)
                .setParameter("p", Policy.key(p))
                .executeUpdate();
        audit.record(org, actor, "update-policy.cancel", name, n + " live lease(s) released");
        return policies.view(org, name);
    }

    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("lease " + id);
        }
    }
}
