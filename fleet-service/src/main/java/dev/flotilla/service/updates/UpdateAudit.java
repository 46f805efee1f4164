package dev.flotilla.service.updates;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * Who changed what in update policies and leases, append-only ({@code update_audit}), until the
 * organization-wide audit log takes it over.
 */
@ApplicationScoped
public class UpdateAudit {
    @Inject
    EntityManager em;

    @Transactional(Transactional.TxType.MANDATORY)
    void record(UUID org, String actor, String action, String target, String detail) {
        em.createNativeQuery(
                        "insert into update_audit (org_id, actor, action, target, detail) values (:o, :a, :ac, :t, :d)")
                .setParameter("o", org)
                .setParameter("a", actor)
                .setParameter("ac", action)
                .setParameter("t", target)
                .setParameter("d", detail)
                .executeUpdate();
    }
}
