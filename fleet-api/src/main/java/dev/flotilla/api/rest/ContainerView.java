package dev.flotilla.api.rest;

import java.time.Instant;
import java.util.Map;

/** A container on one machine, as its agent last reported it from the host's engine. */
public record ContainerView(
        String id,
        String name,
        String image,
        String state,
        String status,
        String health,
        Instant createdAt,
        Instant startedAt,
        Map<String, String> labels,
        Instant observedAt) {}
