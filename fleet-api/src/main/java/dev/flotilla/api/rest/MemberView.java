package dev.flotilla.api.rest;

import java.time.Instant;

/**
 * A member of the organization.
 *
 * @param subject {@code account:<user name>} for a local account, {@code oidc:<subject>} for a Keycloak user
 */
public record MemberView(
        String id, String subject, String name, String email, String role, String addedBy, Instant createdAt) {}
