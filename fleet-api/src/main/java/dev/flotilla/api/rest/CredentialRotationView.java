package dev.flotilla.api.rest;

import java.time.Instant;

/**
 * A machine's credential rotation.
 *
 * @param machineId the machine
 * @param state requested (a new credential is issued over the agent's session, now or at its next
 *     connection), issued (sent; the agent has not confirmed it yet) or current (nothing pending)
 * @param requestedAt when the pending rotation was asked for, if one is pending
 * @param rotatedAt when the machine's credential was last replaced, if ever
 */
public record CredentialRotationView(String machineId, String state, Instant requestedAt, Instant rotatedAt) {}
