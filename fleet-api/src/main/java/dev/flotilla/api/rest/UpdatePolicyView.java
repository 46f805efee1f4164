package dev.flotilla.api.rest;

import java.time.Instant;
import java.util.List;

/**
 * An update policy, with whether its windows are open now and its limits' current use.
 *
 * @param openNow whether a window is open now
 * @param nextWindows the next open periods (overlapping windows merged)
 * @param machines how many machines its selector matches
 * @param updating leases held now
 * @param proven safe mode: a machine has completed since the policy was created or resumed
 * @param failures failures and timeouts since then
 * @param paused whether updates are paused (POST .../pause, .../resume; or safe mode)
 * @param pausedReason why updates are paused (by hand or by safe mode), or null
 */
public record UpdatePolicyView(
        String id,
        String name,
        String selector,
        int priority,
        List<UpdateWindow> windows,
        String maxParallel,
        Integer maxPerPeriod,
        String period,
        String updateTimeout,
        boolean safeMode,
        int safeModeFailures,
        boolean paused,
        String pausedReason,
        boolean proven,
        int failures,
        boolean openNow,
        List<OpenPeriod> nextWindows,
        int machines,
        int updating,
        Instant createdAt,
        Instant updatedAt) {
    /** A time when updates may start: {@code [from, to)}. */
    public record OpenPeriod(Instant from, Instant to) {}
}
