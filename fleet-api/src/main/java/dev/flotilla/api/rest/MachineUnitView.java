package dev.flotilla.api.rest;

import java.time.Instant;

/** A unit on one machine, as last reported. */
public record MachineUnitView(
        String name,
        String load,
        String active,
        String sub,
        String description,
        String hash,
        boolean managed,
        Instant changedAt,
        Instant observedAt) {}
