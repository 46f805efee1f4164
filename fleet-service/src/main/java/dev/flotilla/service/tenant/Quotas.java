package dev.flotilla.service.tenant;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;

import dev.flotilla.service.common.AdvisoryLocks;
import dev.flotilla.service.common.ProblemException;

/**
 * How much an organization may have: machines and units. Each organization may have its own
 * numbers ({@code organization.max_machines}, {@code max_units}); without them, the service's
 * defaults apply. Checked under a per-organization lock, so that concurrent creations cannot
 * overshoot.
 */
@ApplicationScoped
public class Quotas {
    @Inject
    EntityManager em;

    @Inject
    QuotaConfig config;

    /** Refuses a new machine when the organization has its quota of machines already. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void checkNewMachine(UUID org) {
        check(org, "machine", "max_machines", config.machines(), "machines", "flotilla.quota.machines");
    }

    /** Refuses a new unit when the organization has its quota of units already. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void checkNewUnit(UUID org) {
        check(org, "unit", "max_units", config.units(), "units", "flotilla.quota.units");
    }

    private void check(UUID org, String table, String column, int fallback, String what, String property) {
        em.createNativeQuery(
                        "select pg_advisory_xact_lock(" + AdvisoryLocks.QUOTA + ", hashtext(cast(:o as text) || :t))")
                .setParameter("o", org.toString())
                .setParameter("t", table)
                .getSingleResult();
        // The counter the table's trigger keeps (V17): O(1), where a count(*) grew with the fleet.
        Object[] row = (Object[])
                em.createNativeQuery("select " + column + ", " + table + "_count from organization where id = :o")
                        .setParameter("o", org)
                        .getSingleResult();
        int quota = row[0] == null ? fallback : ((Number) row[0]).intValue();
        long have = ((Number) row[1]).longValue();
        if (have >= quota) {
            throw new ProblemException(
                    Response.Status.CONFLICT,
                    "the organization has reached its quota of " + quota + " " + what
                            + "; remove some, or ask for a larger quota (" + property + ")");
        }
    }
}
