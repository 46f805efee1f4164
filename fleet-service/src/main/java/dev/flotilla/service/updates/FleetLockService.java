package dev.flotilla.service.updates;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.flotilla.api.rest.FleetLockUrlView;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.common.Secrets;
import dev.flotilla.service.common.SqlValues;

/**
 * FleetLock for nodes that run Zincati and no agent: the organization is the secret in the base
 * URL; groups are policy names ({@code default}: the default policy); a node's lock is a lease
 * held by {@code fleetlock:<id>}, so windows, limits and expiry apply as to agents.
 */
@ApplicationScoped
@Transactional
public class FleetLockService {
    static final String PREFIX = "flk_";

    @Inject
    EntityManager em;

    @Inject
    UpdatePolicyService policies;

    @Inject
    LeaseService leases;

    @Inject
    dev.flotilla.service.audit.AuditLog audit;

    /** A new secret: {@code secret} goes into the base URL {@code {service}/fleetlock/{secret}}. */
    public record CreatedSecret(String id, String secret) {}

    public CreatedSecret create(UUID org, String actor) {
        String secret = Secrets.generate(PREFIX);
        UUID id = UUID.randomUUID();
        em.createNativeQuery(
                        "insert into fleetlock_secret (org_id, id, secret_hash, created_by) values (:o, :id, :h, :by)")
                .setParameter("o", org)
                .setParameter("id", id)
                .setParameter("h", Secrets.hash(secret))
                .setParameter("by", actor)
                .executeUpdate();
        audit.record(org, actor, "fleetlock-url.create", id.toString(), null);
        return new CreatedSecret(id.toString(), secret);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<FleetLockUrlView> list(UUID org) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select id, created_at, created_by, revoked_at from fleetlock_secret"
                        + " where org_id = :o order by created_at desc limit 100")
                .setParameter("o", org)
                .getResultList();
        List<FleetLockUrlView> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(new FleetLockUrlView(
                    r[0].toString(), SqlValues.instant(r[1]), (String) r[2], SqlValues.instant(r[3])));
        }
        return out;
    }

    public void revoke(UUID org, String id, String actor) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("FleetLock URL " + id);
        }
        int n = em.createNativeQuery("update fleetlock_secret set revoked_at = coalesce(revoked_at, now())"
                        + " where org_id = :o and id = :id")
                .setParameter("o", org)
                .setParameter("id", uuid)
                .executeUpdate();
        if (n == 0) {
            throw ProblemException.notFound("FleetLock URL " + id);
        }
        audit.record(org, actor, "fleetlock-url.revoke", id, null);
    }

    /** The organization whose live secret this is. */
    @Transactional(Transactional.TxType.SUPPORTS)
    Optional<UUID> organization(String secret) {
        byte[] hash = Secrets.hash(secret);
        if (hash == null || !secret.startsWith(PREFIX)) {
            return Optional.empty();
        }
        List<?> rows = em.createNativeQuery(
                        "select org_id from fleetlock_secret where secret_hash = :h and revoked_at is null")
                .setParameter("h", hash)
                .getResultList();
        return rows.stream().findFirst().map(UUID.class::cast);
    }

    /** RecursiveLock: the node's lease under the group's policy; empty when the group is unknown. */
    Optional<LeaseRules.Decision> lock(UUID org, String group, String id) {
        Optional<Policy> policy = policy(org, group);
        return policy.map(p -> leases.request(org, p, holder(id), "fleetlock", false));
    }

    /** UnlockIfHeld: ends the node's lease if it holds one (complete: it reached steady state). */
    boolean unlock(UUID org, String group, String id) {
        if (policy(org, group).isEmpty()) {
            throw new IllegalArgumentException("unknown group");
        }
        return leases.end(org, holder(id), "complete", "steady state reported over FleetLock", holder(id));
    }

    Optional<Policy> policy(UUID org, String group) {
        return policies.named(org, group);
    }

    static String holder(String id) {
        return "fleetlock:" + id;
    }
}
