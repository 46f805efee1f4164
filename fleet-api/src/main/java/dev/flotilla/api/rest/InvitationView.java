package dev.flotilla.api.rest;

import java.time.Instant;

/**
 * An invitation, without its secret.
 *
 * @param state {@code pending}, {@code accepted}, {@code expired} or {@code revoked}
 */
public record InvitationView(
        String id,
        String email,
        String role,
        String invitedBy,
        Instant createdAt,
        Instant expiresAt,
        Instant acceptedAt,
        String acceptedBy,
        String state) {}
