package dev.flotilla.api.rest;

/** A new enrollment token and its secret, which is shown this once and never again. */
public record CreatedEnrollmentToken(EnrollmentTokenView token, String secret) {}
