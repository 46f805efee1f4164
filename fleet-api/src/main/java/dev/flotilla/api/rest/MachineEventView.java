package dev.flotilla.api.rest;

import java.time.Instant;

/**
 * A change in a machine's life: enrolled, presence changes, labels changed.
 *
 * @param id increasing per organization; newest first in lists
 * @param kind {@code enrolled}, {@code presence} or {@code labels}
 * @param fromPresence the presence before, for {@code presence} events
 * @param toPresence the presence after, for {@code presence} events
 * @param at when it happened
 * @param detail why, for a person
 */
public record MachineEventView(
        long id, String kind, String fromPresence, String toPresence, Instant at, String detail) {}
