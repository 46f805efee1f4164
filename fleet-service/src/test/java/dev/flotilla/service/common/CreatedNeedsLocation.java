package dev.flotilla.service.common;

import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * In every test of the service (it is part of the test application only): a {@code 201 Created}
 * without a {@code Location} header becomes a 500, so any test that creates something through the
 * API or the dashboard and expects 201 fails when the answer does not say where the new thing is.
 * {@code CreatedLocationTest} shows it on each kind of thing the API creates.
 */
public class CreatedNeedsLocation {
    @ServerResponseFilter
    public void requireLocation(ContainerResponseContext response) {
        if (response.getStatus() == 201 && response.getHeaderString("Location") == null) {
            response.setStatus(500);
            response.setEntity("201 Created without a Location header: say where the new resource is");
        }
    }
}
