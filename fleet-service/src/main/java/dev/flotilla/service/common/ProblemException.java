package dev.flotilla.service.common;

import jakarta.ws.rs.core.Response;

/** Thrown by services for a failure the caller caused; it becomes a problem response. */
public class ProblemException extends RuntimeException {
    private final int status;

    public ProblemException(Response.Status status, String detail) {
        super(detail);
        this.status = status.getStatusCode();
    }

    public int status() {
        return status;
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
