package dev.flotilla.service.overview;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;

/** The overview's presence history ({@code flotilla.overview.*}; defaults and why in application.properties). */
@ConfigMapping(prefix = "flotilla.overview")
public interface OverviewConfig {
    /** How often the current 5-minute bucket is written ({@code @Scheduled} reads it too). */
    Duration rollupEvery();

    /** How long buckets are kept; the 7-day chart needs at least 7 days. */
    Duration retention();
}
