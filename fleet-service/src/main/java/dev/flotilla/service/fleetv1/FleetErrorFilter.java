package dev.flotilla.service.fleetv1;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import dev.flotilla.api.rest.FleetV1;
import dev.flotilla.service.common.Problem;

/**
 * Under {@code /fleet/v1}, errors take fleet's shape, {@code {"error":{"code":404,"message":"unit
 * does not exist"}}}, which fleet's clients read; everywhere else they stay RFC 9457 problems.
 * One mapping for every error, whatever raised it.
 */
public class FleetErrorFilter {
    @ServerResponseFilter
    public void fleetErrors(ContainerRequestContext request, ContainerResponseContext response) {
        if (!request.getUriInfo().getPath().startsWith("/fleet/v1")) {
            return;
        }
        if (response.getEntity() instanceof Problem p) {
            response.setEntity(
                    new FleetV1.Error(new FleetV1.Error.ErrorBody(p.status(), p.detail() == null ? "" : p.detail())),
                    null,
                    MediaType.APPLICATION_JSON_TYPE);
        }
    }
}
