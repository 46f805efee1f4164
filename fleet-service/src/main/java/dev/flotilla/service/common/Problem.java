package dev.flotilla.service.common;

import java.util.List;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem: the one shape of every error the API returns, as {@code
 * application/problem+json}.
 *
 * @param type a URI naming the kind of problem; {@code about:blank} when the status says it all
 * @param title the short, fixed summary of the kind
 * @param status the HTTP status
 * @param detail what went wrong this time, for a person
 * @param errors one entry per invalid field, for validation problems
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, List<FieldError> errors) {
    public static final String MEDIA_TYPE = "application/problem+json";
    public static final MediaType MEDIA = MediaType.valueOf(MEDIA_TYPE);

    /** A field that failed validation. */
    public record FieldError(String field, String message) {}

    public static Problem of(Response.Status status, String detail) {
        return new Problem("about:blank", status.getReasonPhrase(), status.getStatusCode(), detail, null);
    }

    public static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail, null);
    }

    public Response toResponse() {
        return Response.status(status).type(MEDIA).entity(this).build();
    }

    /**
     * Answers a request with this problem from a Vert.x route, before any resource runs (size
     * limits, URL rules, rate gates). {@code close}: also close the connection (after a refused body).
     */
    public void send(io.vertx.ext.web.RoutingContext ctx, boolean close) {
        var response = ctx.response().setStatusCode(status).putHeader("Content-Type", MEDIA_TYPE);
        if (close) {
            response.putHeader("Connection", "close");
        }
        response.end(io.vertx.core.json.Json.encode(this));
    }
}
