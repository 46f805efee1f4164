package dev.flotilla.service.tenant;

import java.util.UUID;

import jakarta.inject.Inject;

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

    @ServerRequestFilter
    public Uni<Void> scope(jakarta.ws.rs.container.ContainerRequestContext request) {
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
                    }
                    return null;
                })
                .onFailure()
                .recoverWithNull(); // the resource's own security check answers for a bad credential
    }
}
