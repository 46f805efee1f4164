package dev.flotilla.service.units;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;

/** The scheduler's loop ({@code flotilla.scheduler.*}; the default and why in application.properties). */
@ConfigMapping(prefix = "flotilla.scheduler")
public interface SchedulerConfig {
    /**
     * How often a replica tries to become the leader, and the leader checks it still is and whether
     * a full pass is due; how often the leader advances an organization's running rollout (which
     * waits on time). {@code @Scheduled} reads it too.
     */
    Duration every();

    /**
     * How often the leader reconciles the organizations marked since (a change in one reaches its
     * machines within about this, plus its reconcile). {@code @Scheduled} reads it too.
     */
    Duration reactEvery();

    /**
     * How often the leader reconciles every organization with units, changed or not: the safety
     * net for a mark that was never sent. Also done when a replica becomes the leader and after its
     * LISTEN connection was lost.
     */
    Duration fullPassEvery();

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
