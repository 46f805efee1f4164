package dev.flotilla.service.audit;

import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import dev.flotilla.service.tenant.Actor;
import io.quarkus.runtime.BlockingOperationControl;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The audit log's safety net: a request that changed something (any successful POST, PUT, PATCH
 * or DELETE by a member of an organization) and wrote no entry of its own gets a generic one
 * (method, path, status), so that no change goes unrecorded even where a service does not yet
 * describe its before and after.
 */
public class AuditFilter {
    private static final Set<String> CHANGES = Set.of("POST", "PUT", "PATCH", "DELETE");

    @Inject
    AuditTrail trail;

    @Inject
    AuditLog audit;

    @Inject
    CurrentIdentityAssociation identities;

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(AuditFilter.class);

    /**
     * A bearer credential that is not ours and was refused (a forged, expired or foreign JWT, or any
     * other string): recorded with no organization, since whose it was is unknown. Refused
     * {@code flt_} tokens are recorded where they are checked, with their organization.
     */
    @ServerResponseFilter
    public void refused(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() != 401) {
            return;
        }
        String header = request.getHeaderString("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.startsWith("flt_", 7)) {
            return;
        }
        String path = request.getUriInfo().getPath();
        Runnable write = () -> {
            try {
                audit.refusal(
                        null,
                        "anonymous",
                        "credential.refused",
                        "path",
                        path,
                        "a bearer token that is neither a valid API token nor a valid Keycloak token",
                        null);
            } catch (RuntimeException e) {
                LOG.warnf("recording a refused credential: %s", e.getMessage());
            }
        };
        if (BlockingOperationControl.isBlockingAllowed()) {
            write.run();
        } else {
            io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool()
                    .execute(write);
        }
    }

    @ServerResponseFilter
    public void record(ContainerRequestContext request, ContainerResponseContext response) {
        if (!CHANGES.contains(request.getMethod()) || response.getStatus() >= 400 || trail.recorded()) {
            return;
        }
        String path = request.getUriInfo().getPath();
        if (path.equals("/logout") || path.startsWith("/live/") || !BlockingOperationControl.isBlockingAllowed()) {
            return;
        }
        SecurityIdentity identity = identities.getIdentity();
        UUID org = Actor.orgOf(identity);
        if (org == null) {
            return;
        }
        String actor = identity.getAttribute(Actor.NAME);
        try {
            generic(org, actor, request, response, path);
        } catch (RuntimeException e) {
            // the change is committed; failing its answer now would only invite a second one
            LOG.errorf("recording %s %s in the audit log: %s", request.getMethod(), path, e.getMessage());
        }
    }

    private void generic(
            UUID org, String actor, ContainerRequestContext request, ContainerResponseContext response, String path) {
        audit.event(
                org,
                actor,
                "http." + request.getMethod().toLowerCase(java.util.Locale.ROOT),
                true,
                "path",
                path,
                request.getMethod() + " " + path + " → " + response.getStatus(),
                null);
    }
}
