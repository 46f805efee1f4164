package dev.flotilla.service.common;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * An error answered without a body becomes a problem document: filters that abort a request
 * (the CSRF check, for one, refuses a body-less POST with a bare 400) answer before any exception
 * mapper could. Runs before {@code FleetErrorFilter} (response filters run by descending
 * priority), which turns problems into fleet's shape under {@code /fleet/v1}.
 */
public class EmptyErrors {
    @ServerResponseFilter(priority = Priorities.USER + 100)
    public void fill(ContainerRequestContext request, ContainerResponseContext response) {
        int status = response.getStatus();
        if (status < 400 || response.hasEntity()) {
            return;
        }
        Response.StatusType info = Response.Status.fromStatusCode(status);
        String title = info == null ? "Error" : info.getReasonPhrase();
        String detail = status == 400 && !request.getHeaders().containsKey("Content-Type")
                ? "the request was refused: a JSON call needs Content-Type: application/json, a form its CSRF token"
                : "the request was refused (" + status + " " + title + ")";
        response.setEntity(Problem.of(status, title, detail), null, Problem.MEDIA);
    }
}
