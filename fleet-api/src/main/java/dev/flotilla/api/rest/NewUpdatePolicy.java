package dev.flotilla.api.rest;

import java.util.List;

/**
 * An update policy as created or replaced; every field but {@code name} may be left out for its
 * default.
 *
 * @param name the policy's name, also its FleetLock group: {@code ^[a-zA-Z0-9.-]{1,63}$}
 * @param selector the machines it applies to, a label selector; empty: every machine
 * @param priority when several policies match a machine, the lowest priority wins (then the name);
 *     default 100
 * @param windows when updates may start; none: always
 * @param maxParallel machines updating at once: a count ({@code "2"}) or a share of the machines
 *     the selector matches ({@code "10%"}, at least one); default {@code "1"}
 * @param maxPerPeriod updates started per {@code period} at most; default unlimited
 * @param period the period of {@code maxPerPeriod}, an ISO-8601 duration such as {@code PT1H}
 * @param updateTimeout how long a lease lasts before it expires and counts as timed out; ISO-8601,
 *     1 minute to 7 days; default {@code PT1H}
 * @param safeMode the first machine after the policy is created or resumed updates alone, and
 *     {@code safeModeFailures} failures or timeouts pause the policy; default false
 * @param safeModeFailures default 1
 * @param paused true: no machine of the policy starts an update until it is resumed; default false
 */
public record NewUpdatePolicy(
        String name,
        String selector,
        Integer priority,
        List<UpdateWindow> windows,
        String maxParallel,
        Integer maxPerPeriod,
        String period,
        String updateTimeout,
        Boolean safeMode,
        Integer safeModeFailures,
        Boolean paused) {}
