package dev.flotilla.api.rest;

import java.time.Instant;

/**
 * One transition a machine's agent observed, or a gap it had to leave.
 *
 * @param dropped for a gap ({@code name} null): how many transitions the agent could not keep
 */
public record UnitEventView(
        long seq,
        Instant observedAt,
        Instant receivedAt,
        String name,
        String load,
        String active,
        String sub,
        boolean removed,
        long dropped) {}
