package dev.flotilla.api.rest;

import java.time.Duration;

/**
 * Asks for a new enrollment token.
 *
 * @param name what it is for, e.g. {@code rack-7}
 * @param maxUses how many machines may enroll with it (1 to 100000; default 1)
 * @param ttl how long it stays valid, as an ISO-8601 duration such as {@code PT24H} (at most
 *     {@code P365D}; default {@code PT24H})
 */
public record NewEnrollmentToken(String name, Integer maxUses, Duration ttl) {}
