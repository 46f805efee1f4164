package dev.flotilla.api.rest;

/**
 * Optional body of {@code POST /api/v1/update-policies/{name}/pause}: why, kept in the policy's
 * {@code pausedReason} after who paused it.
 *
 * @param reason at most 200 characters
 */
public record Pause(String reason) {}
