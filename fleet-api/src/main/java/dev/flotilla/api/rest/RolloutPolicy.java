package dev.flotilla.api.rest;

/**
 * How a changed global unit reaches its machines; every field may be left out for its default.
 *
 * @param maxParallel machines changed at once: a count ({@code "2"}) or a share of the unit's
 *     machines ({@code "25%"}, rounded up); default {@code "25%"}
 * @param minHealthy how long the unit must stay active on every machine of a batch before the next
 *     batch starts, an ISO-8601 duration (whole seconds, {@code PT0S} to {@code PT1H}); default
 *     {@code PT10S}
 * @param batchDeadline how long a machine of a batch may take to become healthy before it counts as
 *     failed ({@code PT1S} to {@code P1D}); default {@code PT5M}
 * @param maxFailures failed machines allowed; one more and the rollout stops and the machines
 *     already changed get the previous file back; default 0
 */
public record RolloutPolicy(String maxParallel, String minHealthy, String batchDeadline, Integer maxFailures) {}
