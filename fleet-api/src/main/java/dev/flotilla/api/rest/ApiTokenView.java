package dev.flotilla.api.rest;

import java.time.Instant;

/**
 * An API token, without its secret.
 *
 * @param role what the token may do: {@code admin}, {@code operator} or {@code viewer}
 * @param state {@code active}, {@code expired} or {@code revoked}
 */
public record ApiTokenView(
        String id,
        String name,
        String role,
        Instant createdAt,
        Instant expiresAt,
        Instant revokedAt,
        Instant lastUsedAt,
        String state) {}
