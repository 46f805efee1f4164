package dev.flotilla.service.agent;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many frames each machine (or organization: {@code K}) may still send: a token bucket per key
 * (a machine's, not its connection's, so that reconnecting does not refill it), taken before a frame
 * is even parsed. Idle keys are forgotten by {@link #forgetIdle}.
 */
final class FrameAllowance<K> {
    private static final class Bucket {
        double tokens;
        long at;
    }

    private final Map<K, Bucket> buckets = new ConcurrentHashMap<>();

    /** Takes one frame of {@code machine}'s allowance; false when it is over it. */
    boolean take(K machine, long now, double perSecond, double burst) {
        return take(machine, 1, now, perSecond, burst);
    }

    /** Takes {@code n} of {@code machine}'s allowance (a frame carrying n transitions); false when over it. */
    boolean take(K machine, int n, long now, double perSecond, double burst) {
        Bucket b = buckets.computeIfAbsent(machine, m -> {
            Bucket fresh = new Bucket();
            fresh.tokens = burst;
            fresh.at = now;
            return fresh;
        });
        synchronized (b) {
            b.tokens = Math.min(burst, b.tokens + (now - b.at) / 1e9 * perSecond);
            b.at = now;
            if (b.tokens < n) {
                return false;
            }
            b.tokens -= n;
            return true;
        }
    }

    /**
     * Whether {@code machine} may connect: it has not run its allowance down lately, or has since
     * regained {@link #COME_BACK_SECONDS} seconds' worth of it (nothing is taken). A flooding
     * machine thus reconnects about once in that time, not at every step of its backoff: each
     * reconnection costs the service a session, presence writes and a snapshot.
     */
    boolean has(K machine, long now, double perSecond, double burst) {
        Bucket b = buckets.get(machine);
        if (b == null) {
            return true;
        }
        synchronized (b) {
            double tokens = Math.min(burst, b.tokens + (now - b.at) / 1e9 * perSecond);
            return tokens >= Math.min(burst, Math.max(1, perSecond * COME_BACK_SECONDS));
        }
    }

    /** Empties {@code key}'s allowance now (it was closed for its organization's flood). */
    void drain(K key, long now) {
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket());
        synchronized (b) {
            b.tokens = 0;
            b.at = now;
        }
    }

    /** How many seconds of allowance a machine closed for flooding must regain before it connects again. */
    static final int COME_BACK_SECONDS = 30;

    /** Forgets machines whose allowance has been full again for a while (they hold no debt). */
    void forgetIdle(long now, long idleNanos) {
        buckets.values().removeIf(b -> {
            synchronized (b) {
                return now - b.at > idleNanos;
            }
        });
    }
}
