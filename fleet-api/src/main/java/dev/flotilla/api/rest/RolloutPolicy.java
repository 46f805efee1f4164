package dev.flotilla.api.rest;

/**
 * How a changed global unit reaches its machines; every field may be left out for its default.
 *
 * @param maxParallel machines changed at once: a count ({@code "2"}) or a share of the unit's
 *     machines ({@code "25%"}, rounded up); default {@code "25%"}
 * @param minHealthySeconds how long the unit must stay active on every machine of a batch before
 *     the next batch starts; default 10
 * @param batchDeadlineSeconds how long a machine of a batch may take to become healthy before it
 *     counts as failed; default 300
 * @param maxFailures failed machines allowed; one more and the rollout stops and the machines
 *     already changed get the previous file back; default 0
 */
public record RolloutPolicy(
        String maxParallel, Integer minHealthySeconds, Integer batchDeadlineSeconds, Integer maxFailures) {}
