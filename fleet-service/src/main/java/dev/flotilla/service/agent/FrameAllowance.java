package dev.flotilla.service.agent;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.flotilla.service.machine.MachineRef;

/**
 * How many frames each machine may still send: a token bucket per machine (not per connection, so
 * that reconnecting does not refill it), taken before a frame is even parsed. Idle machines are
 * forgotten by {@link #forgetIdle}.
 */
final class FrameAllowance {
    private static final class Bucket {
        double tokens;
        long at;
    }

    private final Map<MachineRef, Bucket> buckets = new ConcurrentHashMap<>();

    /** Takes one frame of {@code machine}'s allowance; false when it is over it. */
    boolean take(MachineRef machine, long now, double perSecond, double burst) {
        return take(machine, 1, now, perSecond, burst);
    }

    /** Takes {@code n} of {@code machine}'s allowance (a frame carrying n transitions); false when over it. */
    boolean take(MachineRef machine, int n, long now, double perSecond, double burst) {
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

    /** Whether {@code machine} has at least one frame of allowance left (nothing is taken). */
    boolean has(MachineRef machine, long now, double perSecond, double burst) {
        Bucket b = buckets.get(machine);
        if (b == null) {
            return true;
        }
        synchronized (b) {
            return Math.min(burst, b.tokens + (now - b.at) / 1e9 * perSecond) >= 1;
        }
    }

    /** Forgets machines whose allowance has been full again for a while (they hold no debt). */
    void forgetIdle(long now, long idleNanos) {
        buckets.values().removeIf(b -> {
            synchronized (b) {
                return now - b.at > idleNanos;
            }
        });
    }
}
