package dev.flotilla.service.updates;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.flotilla.api.rest.UpdateWindow;
import dev.flotilla.api.selector.LabelSelector;

/**
 * An update policy as the lease rules read it. {@link #DEFAULT} applies to machines no policy
 * matches: always open, one machine at a time.
 */
record Policy(
        UUID id,
        String name,
        String selectorText,
        LabelSelector selector,
        int priority,
        List<UpdateWindow> windows,
        Schedule schedule,
        String maxParallel,
        Integer maxPerPeriod,
        Duration period,
        Duration timeout,
        boolean safeMode,
        int safeFailures,
        boolean proven,
        int failures,
        boolean paused,
        String pausedReason,
        Instant createdAt,
        Instant updatedAt) {
    static final String DEFAULT_NAME = "default";
    static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

    static final Policy DEFAULT = new Policy(
            null,
            DEFAULT_NAME,
            "",
            LabelSelector.everything(),
            Integer.MAX_VALUE,
            List.of(),
            Schedule.always(),
            "1",
            null,
            null,
            DEFAULT_TIMEOUT,
            false,
            1,
            true,
            0,
            false,
            null,
            null,
            null);

    /** The policy's id as a query parameter; the nil UUID for the default policy (whose leases have none). */
    static String key(Policy p) {
        return p.id() == null ? "00000000-0000-0000-0000-000000000000" : p.id().toString();
    }

    boolean isDefault() {
        return id == null;
    }

    /** Machines that may hold a lease at once, for a group of {@code machines}. */
    int parallelLimit(int machines) {
        if (safeMode && !proven) {
            return 1;
        }
        if (maxParallel.endsWith("%")) {
            int percent = Integer.parseInt(maxParallel.substring(0, maxParallel.length() - 1));
            return Math.max(1, (int) Math.floor(percent * (double) machines / 100.0));
        }
        return Integer.parseInt(maxParallel);
    }
}
