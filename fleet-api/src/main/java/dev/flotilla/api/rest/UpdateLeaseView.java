package dev.flotilla.api.rest;

import java.time.Instant;

/**
 * A lease: one machine's (or FleetLock node's) permission to update and reboot.
 *
 * @param holder a machine id, or {@code fleetlock:<id>} for a FleetLock node
 * @param policy the policy's name, {@code default} for machines no policy matches
 * @param outcome null while live; then {@code complete}, {@code failed}, {@code timed_out} or
 *     {@code released} (by an operator)
 */
public record UpdateLeaseView(
        String id,
        String holder,
        String kind,
        String policy,
        Instant grantedAt,
        Instant expiresAt,
        Instant endedAt,
        String outcome,
        String detail,
        String endedBy) {}
