package dev.flotilla.service.units;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.flotilla.service.common.TokenBucket;

/**
 * Each organization's share of the time spent placing units, per replica: a token bucket of
 * nanoseconds that refills at {@code perSecond} and holds at most {@code cap}. A placement may take
 * what the bucket holds (at most the time box) and then pays what it took, so an organization
 * whose units are costly to place (thousands of them, pathological globs, placed again at every
 * request) gets its share of the CPU and no more, however often it asks; the others are not slowed.
 */
final class SchedulingShares {
    private final Map<UUID, TokenBucket> shares = new ConcurrentHashMap<>();

    /** How many nanoseconds {@code org} may spend placing now (0: it must wait for its share). */
    long available(UUID org, long now, long perSecondNanos, long capNanos) {
        return (long)
                Math.max(0, shares.computeIfAbsent(org, o -> new TokenBucket()).refill(now, perSecondNanos, capNanos));
    }

    /** Pays for a placement that took {@code nanos}. */
    void spend(UUID org, long nanos) {
        TokenBucket s = shares.get(org);
        if (s != null) {
            s.spend(nanos);
        }
    }
}
