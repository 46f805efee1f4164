package dev.flotilla.service.auth;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.flotilla.service.audit.AuditLog;
import dev.flotilla.service.org.Membership;
import dev.flotilla.service.org.OrgService;
import dev.flotilla.service.tenant.TenantContext;

/**
 * Sign-ins through Keycloak, for the audit log: recorded when the code flow lands back in
 * Flotilla, in each of the person's organizations (as local sign-ins are). Failed Keycloak
 * sign-ins happen in Keycloak and are in its own event log.
 */
@ApplicationScoped
public class SignIns {
    @Inject
    OrgService orgs;

    @Inject
    AuditLog audit;

    @Inject
    TenantContext tenant;

    public void record(String subject, String displayName) {
        var memberships = tenant.unscoped(() -> orgs.of(subject));
        if (memberships.isEmpty()) {
            audit.event(null, subject, "sign-in", true, "person", displayName, "through Keycloak", null);
        }
        for (Membership m : memberships) {
            UUID org = m.orgId();
            tenant.unscoped(() -> {
                audit.event(org, subject, "sign-in", true, "person", displayName, "through Keycloak", null);
                return null;
            });
        }
    }
}
