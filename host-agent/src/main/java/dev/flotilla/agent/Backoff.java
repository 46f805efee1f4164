package dev.flotilla.agent;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter (a random delay between zero and the exponential cap), so
 * that thousands of agents cut off together do not come back together.
 */
final class Backoff {
    private final long baseMillis;
    private final long maxMillis;
    private int attempt;

    Backoff(Duration base, Duration max) {
        this.baseMillis = base.toMillis();
        this.maxMillis = max.toMillis();
    }

    /** The delay before the next attempt. */
    long next() {
        long cap = Math.min(maxMillis, baseMillis << Math.min(attempt, 20));
        attempt++;
        return Math.max(100, ThreadLocalRandom.current().nextLong(cap + 1));
    }

    void reset() {
        attempt = 0;
    }

    int attempts() {
        return attempt;
    }
}
