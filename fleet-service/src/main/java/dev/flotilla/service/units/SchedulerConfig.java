package dev.flotilla.service.units;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;

/** The scheduler's loop ({@code flotilla.scheduler.*}; the default and why in application.properties). */
@ConfigMapping(prefix = "flotilla.scheduler")
public interface SchedulerConfig {
    /** How often the leading replica re-places units and advances rollouts ({@code @Scheduled} reads it too). */
    Duration every();

    /**
     * The most one organization's placement may take in a round; past it the round is skipped
     * for that organization (nothing written, logged) and the loop goes on to the next.
     */
    Duration orgTimeBox();

    /**
     * The placement time one organization may use a second, on average (its share); past it its
     * placements wait until the share refills, so no organization's units cost the others theirs.
     */
    Duration orgTimePerSecond();
}
