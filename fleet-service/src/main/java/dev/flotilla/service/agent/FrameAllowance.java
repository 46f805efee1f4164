package dev.flotilla.service.agent;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.flotilla.service.common.TokenBucket;

/**
 * How many frames each machine (or organization: {@code K}) may still send: a token bucket per key
 * (a machine's, not its connection's, so that reconnecting does not refill it), taken before a frame
 * is even parsed. Idle keys are forgotten by {@link #forgetIdle}.
 */
final class FrameAllowance<K> {
    /** How many seconds of allowance a machine closed for flooding must regain before it connects again. */
    static final int COME_BACK_SECONDS = 30;

    private final Map<K, TokenBucket> buckets = new ConcurrentHashMap<>();

    /** Takes one frame of {@code key}'s allowance; false when it is over it. */
    boolean take(K key, long now, double perSecond, double burst) {
        return take(key, 1, now, perSecond, burst);
    }

    /** Takes {@code n} of {@code key}'s allowance (a frame carrying n transitions); false when over it. */
    boolean take(K key, int n, long now, double perSecond, double burst) {
        return buckets.computeIfAbsent(key, k -> new TokenBucket()).take(n, now, perSecond, burst);
    }

    /**
     * Whether {@code key} may connect: it has not run its allowance down lately, or has since regained
     * {@link #COME_BACK_SECONDS} seconds' worth of it (nothing is taken). A flooding machine thus
     * reconnects about once in that time, not at every step of its backoff: each reconnection costs
     * the service a session, presence writes and a snapshot.
     */
    boolean has(K key, long now, double perSecond, double burst) {
        TokenBucket b = buckets.get(key);
        return b == null
                || b.refill(now, perSecond, burst) >= Math.min(burst, Math.max(1, perSecond * COME_BACK_SECONDS));
    }

    /** Empties {@code key}'s allowance now (it was closed for its organization's flood). */
    void drain(K key, long now) {
        buckets.computeIfAbsent(key, k -> new TokenBucket()).drain(now);
    }

    /** Forgets keys unused for {@code idleNanos} (their allowance would be full again). */
    void forgetIdle(long now, long idleNanos) {
        buckets.values().removeIf(b -> b.idleNanos(now) > idleNanos);
    }
}
