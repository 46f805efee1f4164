package dev.flotilla.agent;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter (a random delay between zero and the exponential cap), so
 * that thousands of agents cut off together do not come back together; the cap is also at most
 * half the time the service has been unreachable, so after a short outage every agent is back
 * soon after the service (a 7 s restart no longer costs agents 32 s waits), while a long one still
 * backs off to {@code max}. A service that says when to come back ({@code retry-after}) is obeyed,
 * with jitter of half that time either way.
 */
final class Backoff {
    private final long baseMillis;
    private final long maxMillis;
    private int attempt;
    /** When the first failed attempt since the last success happened (nanoTime), or null. */
    private Long unreachableSince;

    Backoff(Duration base, Duration max) {
        this.baseMillis = base.toMillis();
        this.maxMillis = max.toMillis();
    }

    /** The delay before the next attempt. */
    long next() {
        return next(System.nanoTime());
    }

    long next(long nowNanos) {
        if (unreachableSince == null) {
            unreachableSince = nowNanos;
        }
        long unreachableMillis = (nowNanos - unreachableSince) / 1_000_000L;
        long cap = Math.min(maxMillis, baseMillis << Math.min(attempt, 20));
        cap = Math.min(cap, Math.max(baseMillis, unreachableMillis / 2));
        attempt++;
        return Math.max(100, ThreadLocalRandom.current().nextLong(cap + 1));
    }

    /** The delay before the next attempt when the service asked for {@code seconds}. */
    long after(int seconds, long nowNanos) {
        if (unreachableSince == null) {
            unreachableSince = nowNanos;
        }
        attempt++;
        long asked = Math.min(maxMillis, seconds * 1000L);
        return Math.max(100, asked / 2 + ThreadLocalRandom.current().nextLong(asked + 1));
    }

    void reset() {
        attempt = 0;
        unreachableSince = null;
    }

    int attempts() {
        return attempt;
    }
}
