package dev.flotilla.service.agent;

/**
 * Admission control at the gateway (issue 20): at most {@code limit} agents are being greeted at
 * once (from their WebSocket's open, through the credential check and hello, to their welcome).
 * One more is refused at once, before it costs the database anything, and told when to come back:
 * the refusals of the last few seconds divided by the greetings per second finished over the
 * same seconds, so a herd is spread over the time this replica needs to greet it. Without it, a
 * storm of agents a little faster than the service queued greetings past the agents' patience,
 * and their retries multiplied the load until most opens failed. Pure code; thread-safe.
 */
final class Admission {
    /** Seconds of history the estimate reads. */
    static final int WINDOW = 5;

    static final int MIN_RETRY_SECONDS = 1;
    static final int MAX_RETRY_SECONDS = 60;

    private final int limit;
    private int inFlight;
    private final long[] refusedAt = new long[WINDOW + 1];
    private final long[] refused = new long[WINDOW + 1];
    private final long[] greetedAt = new long[WINDOW + 1];
    private final long[] greeted = new long[WINDOW + 1];

    Admission(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the greeting limit must be at least 1, not " + limit);
        }
        this.limit = limit;
    }

    /** Takes a greeting slot, or counts a refusal and answers false. */
    synchronized boolean tryEnter(long nowNanos) {
        if (inFlight < limit) {
            inFlight++;
            return true;
        }
        count(refusedAt, refused, nowNanos);
        return false;
    }

    /** Gives a slot back; {@code welcomed}: the greeting finished (counts toward the rate). */
    synchronized void leave(long nowNanos, boolean welcomed) {
        if (inFlight > 0) {
            inFlight--;
        }
        if (welcomed) {
            count(greetedAt, greeted, nowNanos);
        }
    }

    synchronized int inFlight() {
        return inFlight;
    }

    /**
     * When a refused agent should come back, in seconds: the refusals of the last {@link #WINDOW}
     * seconds at the greeting rate of those seconds (at least one greeting a second assumed), from
     * {@link #MIN_RETRY_SECONDS} to {@link #MAX_RETRY_SECONDS}.
     */
    synchronized int retryAfterSeconds(long nowNanos) {
        long refusals = sum(refusedAt, refused, nowNanos);
        double rate = Math.max(1.0, sum(greetedAt, greeted, nowNanos) / (double) WINDOW);
        long seconds = (long) Math.ceil(refusals / rate);
        return (int) Math.max(MIN_RETRY_SECONDS, Math.min(MAX_RETRY_SECONDS, seconds));
    }

    private static void count(long[] at, long[] n, long nowNanos) {
        long second = nowNanos / 1_000_000_000L;
        int i = (int) Math.floorMod(second, (long) at.length);
        if (at[i] != second) {
            at[i] = second;
            n[i] = 0;
        }
        n[i]++;
    }

    private static long sum(long[] at, long[] n, long nowNanos) {
        long second = nowNanos / 1_000_000_000L;
        long total = 0;
        for (int i = 0; i < at.length; i++) {
            if (at[i] > second - WINDOW - 1 && at[i] <= second && n[i] > 0) {
                total += n[i];
            }
        }
        return total;
    }
}
