package dev.flotilla.api.rest;

import java.time.Instant;

/** One transition of a container that a machine's agent observed. */
public record ContainerEventView(
        long seq,
        Instant observedAt,
        Instant receivedAt,
        String containerId,
        String name,
        String image,
        String state,
        String health,
        boolean removed) {}
