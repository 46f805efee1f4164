package dev.flotilla.service.common;

import jakarta.ws.rs.core.Response;

/** Thrown by services for a failure the caller caused; it becomes a problem response. */
public class ProblemException extends RuntimeException {
    private final int status;
    private final Long retryAfter;

    public ProblemException(Response.Status status, String detail) {
        this(status, detail, null);
    }

    private ProblemException(Response.Status status, String detail, Long retryAfter) {
        super(detail);
        this.status = status.getStatusCode();
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    /** Seconds after which the caller may try again (a {@code Retry-After} header), or null. */
    public Long retryAfter() {
        return retryAfter;
    }

    /** 429: the caller holds too much at once, or asks too fast; try again in {@code seconds}. */
    public static ProblemException tooMany(String detail, long seconds) {
        return new ProblemException(Response.Status.TOO_MANY_REQUESTS, detail, seconds);
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(Response.Status.NOT_FOUND, what + " not found");
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(Response.Status.BAD_REQUEST, detail);
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(Response.Status.CONFLICT, detail);
    }
}
