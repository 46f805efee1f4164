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
