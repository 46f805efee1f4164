package dev.flotilla.api.rest;

import java.time.Instant;

/**
 * A unit Flotilla wants on one machine, and what the agent last made of it.
 *
 * @param resultGeneration the generation the result is for; {@code null} before the agent reported
 */
public record DesiredUnitView(
        String name,
        String target,
        String content,
        String updatedBy,
        Instant updatedAt,
        Boolean ok,
        String error,
        Long resultGeneration) {}
