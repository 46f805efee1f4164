package dev.flotilla.service.tenant;

import java.util.UUID;

import jakarta.inject.Inject;

import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;

/**
 * Once the caller of a REST or dashboard request is known, scopes the request's database
 * connections to the caller's organization. Waiting for the identity here, before any resource
 * runs, keeps sign-in's own queries (which look across organizations) out of the scope.
 */
public class TenantFilter {
    @Inject
    CurrentIdentityAssociation identities;

    @Inject
    TenantContext tenant;

    /** A caller's request id, if it is a plain token of a sensible length; otherwise one of ours. */
    private static final java.util.regex.Pattern REQUEST_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

    @ServerRequestFilter
    public Uni<Void> scope(jakarta.ws.rs.container.ContainerRequestContext request) {
        // The structured log's context (FLOTILLA_LOG_JSON): which request, and below which organization.
        String given = request.getHeaderString("X-Request-Id");
        MDC.put(
                "requestId",
                given != null && REQUEST_ID.matcher(given).matches()
                        ? given
                        : UUID.randomUUID().toString());
        String path = request.getUriInfo().getPath();
        if (path.startsWith("/agent/") || path.startsWith("/fleetlock/")) {
            // they find their organization by the secret they carry, whatever else is sent along
            return Uni.createFrom().voidItem();
        }
        return identities
                .getDeferredIdentity()
                .onItem()
                .<Void>transform(identity -> {
                    UUID org = Actor.orgOf(identity);
                    if (org != null) {
                        tenant.enter(org);
                        MDC.put("org", org.toString());
                    }
                    return null;
                })
                .onFailure()
                .recoverWithNull(); // the resource's own security check answers for a bad credential
    }
}
