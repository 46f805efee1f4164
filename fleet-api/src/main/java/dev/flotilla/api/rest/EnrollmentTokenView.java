package dev.flotilla.api.rest;

import java.time.Instant;

/**
 * An enrollment token, without its secret.
 *
 * @param state {@code active}, {@code expired}, {@code used-up} or {@code revoked}
 */
public record EnrollmentTokenView(
        String id,
        String name,
        int maxUses,
        int uses,
        Instant createdAt,
        Instant expiresAt,
        Instant revokedAt,
        String state) {}
