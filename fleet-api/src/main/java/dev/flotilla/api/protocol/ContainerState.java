package dev.flotilla.api.protocol;

import java.time.Instant;
import java.util.Map;

/**
 * A container as the host's Docker-compatible engine describes it.
 *
 * @param id the engine's full container id (64 hex digits)
 * @param name the container's name, without the engine's leading {@code /}
 * @param image the image as the container was created from it
 * @param state the engine's state: {@code created}, {@code running}, {@code paused}, {@code
 *     restarting}, {@code removing}, {@code exited}, {@code dead}
 * @param status the engine's human-readable status, e.g. {@code Up 5 minutes}
 * @param health {@code starting}, {@code healthy} or {@code unhealthy}; null without a health check
 * @param createdAt when the container was created
 * @param startedAt when it last started; null if it never did
 * @param labels the container's labels
 */
public record ContainerState(
        String id,
        String name,
        String image,
        String state,
        String status,
        String health,
        Instant createdAt,
        Instant startedAt,
        Map<String, String> labels) {
    public ContainerState {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
