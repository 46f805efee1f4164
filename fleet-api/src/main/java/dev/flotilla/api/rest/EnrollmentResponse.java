package dev.flotilla.api.rest;

/**
 * The machine's own credential, shown once. The agent keeps it in its state folder and presents
 * it as {@code Authorization: Bearer <credential>} when it connects.
 */
public record EnrollmentResponse(String machineId, String credential) {}
