package dev.flotilla.api.rest;

import java.time.Duration;

/**
 * Asks for a new API token.
 *
 * @param name what it is for, e.g. {@code ci-deploy}
 * @param role {@code admin}, {@code operator} or {@code viewer}; never more than the caller's
 * @param ttl validity as an ISO-8601 duration (at most {@code P365D}; default {@code P30D})
 */
public record NewApiToken(String name, String role, Duration ttl) {}
