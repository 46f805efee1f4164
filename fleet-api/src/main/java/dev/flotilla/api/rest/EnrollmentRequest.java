package dev.flotilla.api.rest;

/**
 * An agent asks to join an organization's fleet.
 *
 * @param token the organization's enrollment token
 * @param machineId the host's {@code /etc/machine-id}: 32 lowercase hex digits
 * @param hostname the host's name
 */
public record EnrollmentRequest(String token, String machineId, String hostname) {}
