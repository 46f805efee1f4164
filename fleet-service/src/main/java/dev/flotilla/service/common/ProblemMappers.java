package dev.flotilla.service.common;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import dev.flotilla.api.selector.SelectorSyntaxException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * Turns every exception that leaves a resource into {@code application/problem+json}. The
 * catch-all logs the failure and says nothing of it to the caller.
 */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    /** Marks an authentication failure's message as fit to show the caller (it names no secret). */
    public static final String CREDENTIAL_REFUSED = "refused: ";

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        Response r = Problem.of(
                        e.status(),
                        Response.Status.fromStatusCode(e.status()) == null
                                ? "Error"
                                : Response.Status.fromStatusCode(e.status()).getReasonPhrase(),
                        e.getMessage())
                .toResponse();
        return e.retryAfter() == null
                ? r
                : Response.fromResponse(r).header("Retry-After", e.retryAfter()).build();
    }

    @ServerExceptionMapper
    public Response selector(SelectorSyntaxException e) {
        return Problem.of(Response.Status.BAD_REQUEST, "invalid label selector: " + e.getMessage())
                .toResponse();
    }

    @ServerExceptionMapper(priority = 1)
    public Response mismatched(MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper(priority = 1)
    public Response json(JsonProcessingException e) {
        String detail;
        if (e instanceof UnrecognizedPropertyException u) {
            detail = "unknown field '" + u.getPropertyName() + "'";
        } else if (e instanceof InvalidFormatException f) {
            detail = "invalid value for '" + path(f) + "'";
        } else if (e instanceof MismatchedInputException m) {
            detail = m.getPath().isEmpty()
                    ? "the body is not the JSON object expected"
                    : "invalid value for '" + path(m) + "'";
        } else {
            detail = "malformed JSON at line "
                    + (e.getLocation() == null ? "?" : e.getLocation().getLineNr());
        }
        return Problem.of(Response.Status.BAD_REQUEST, detail).toResponse();
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        return unauthenticated(uri, null);
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
        return unauthenticated(uri, e.getMessage());
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return Problem.of(Response.Status.FORBIDDEN, "your role does not allow this")
                .toResponse();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        Response r = e.getResponse();
        if (r.getStatus() >= 500) {
            LOG.error("request failed", e);
            return Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "the request failed; see the service log")
                    .toResponse();
        }
        if (e.getCause() instanceof JsonProcessingException json) {
            return json(json);
        }
        String detail = e instanceof NotFoundException ? "no such resource" : e.getMessage();
        Response.StatusType status = r.getStatusInfo();
        return Problem.of(status.getStatusCode(), status.getReasonPhrase(), detail)
                .toResponse();
    }

    @ServerExceptionMapper(priority = 10_000)
    public Response unexpected(Throwable e) {
        if (poolExhausted(e)) {
            // Every database connection stayed busy for the pool's acquisition timeout: the
            // service is overloaded, not broken. Say so and when to come back, as the rate limits do.
            LOG.warn("no database connection within the acquisition timeout: answered 503");
            return Response.status(503)
                    .type(Problem.MEDIA)
                    .header("Retry-After", "1")
                    .entity(Problem.of(
                            Response.Status.SERVICE_UNAVAILABLE,
                            "the service is busy (no database connection was free in time); retry after Retry-After"))
                    .build();
        }
        if (nulInText(e)) {
            // PostgreSQL's text cannot hold U+0000; a form field carrying one is the caller's error.
            return Problem.of(Response.Status.BAD_REQUEST, "text must not contain the NUL character (U+0000)")
                    .toResponse();
        }
        LOG.error("request failed", e);
        return Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "the request failed; see the service log")
                .toResponse();
    }

    /** PostgreSQL's refusal of a NUL byte in text (SQLSTATE 22021), anywhere in the chain. */
    static boolean nulInText(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql
                    && "22021".equals(sql.getSQLState())
                    && sql.getMessage() != null
                    && sql.getMessage().contains("0x00")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** Agroal's refusal when no connection frees up within its acquisition timeout, anywhere in the chain. */
    static boolean poolExhausted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException
                    && t.getMessage() != null
                    && t.getMessage().contains("acquisition timeout")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static Response unauthenticated(UriInfo uri, String reason) {
        String path = uri.getPath();
        if (!path.startsWith("/api/") && !path.startsWith("/fleet/")) {
            // A person in a browser: to the login page, and back here after signing in (the form
            // sign-in follows this cookie; an invitation link survives signing in this way).
            return Response.seeOther(uri.getBaseUriBuilder().path("login").build())
                    .cookie(new jakarta.ws.rs.core.NewCookie.Builder("quarkus-redirect-location")
                            .value(uri.getRequestUri().toString())
                            .path("/")
                            .httpOnly(true)
                            // Lax: it must survive the way back from Keycloak's sign-in page
                            .sameSite(jakarta.ws.rs.core.NewCookie.SameSite.LAX)
                            .build())
                    .build();
        }
        return Response.status(401)
                .type(Problem.MEDIA)
                .header("WWW-Authenticate", "Bearer realm=\"flotilla\"")
                .entity(Problem.of(
                        Response.Status.UNAUTHORIZED,
                        reason != null && reason.startsWith(CREDENTIAL_REFUSED)
                                ? reason.substring(CREDENTIAL_REFUSED.length())
                                : "a valid API token is required (Authorization: Bearer ...)"))
                .build();
    }

    private static String path(MismatchedInputException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
