package dev.flotilla.api.rest;

import java.time.Duration;

/**
 * An invitation to join the organization.
 *
 * @param expiresIn ISO-8601 duration, at most 30 days; 7 days when omitted
 */
public record NewInvitation(String email, String role, Duration expiresIn) {}
