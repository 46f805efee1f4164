package dev.flotilla.api.rest;

import java.time.Instant;

/**
 * A FleetLock base URL as listed; its secret is shown once, at creation ({@link CreatedFleetLockUrl}).
 *
 * @param id the URL's id
 * @param createdAt when it was made
 * @param createdBy who made it
 * @param revokedAt when it was revoked (null while it works)
 */
public record FleetLockUrlView(String id, Instant createdAt, String createdBy, Instant revokedAt) {}
