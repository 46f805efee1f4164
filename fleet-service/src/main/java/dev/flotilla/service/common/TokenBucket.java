package dev.flotilla.service.common;

/**
 * A token bucket: refills at a rate up to a capacity, and a new one starts full. The rate and the
 * capacity are given at each use, so that a bucket whose rate changes (an organization's, which
 * grows with its machines) needs no new bucket. The one mechanism behind request rates, agents'
 * frame allowances and organizations' shares of placement time.
 */
public final class TokenBucket {
    private double tokens = Double.NaN;
    private long at;

    /** Refills for the time since the last use and returns what the bucket holds now. */
    public synchronized double refill(long now, double perSecond, double capacity) {
        if (Double.isNaN(tokens)) {
            tokens = capacity;
        } else {
            tokens = Math.min(capacity, tokens + (now - at) / 1e9 * perSecond);
        }
        at = now;
        return tokens;
    }

    /** Takes {@code n} when the bucket holds them; false (and nothing taken) when it does not. */
    public synchronized boolean take(double n, long now, double perSecond, double capacity) {
        if (refill(now, perSecond, capacity) < n) {
            return false;
        }
        tokens -= n;
        return true;
    }

    /** Takes one: 0 when it could, else the seconds until one would be there. */
    public synchronized double takeOrWait(long now, double perSecond, double capacity) {
        return take(1, now, perSecond, capacity) ? 0 : (1 - tokens) / perSecond;
    }

    /** Takes {@code n} whatever the bucket holds (it may go below zero: a debt repaid by refilling). */
    public synchronized void spend(double n) {
        tokens -= n;
    }

    /** Empties the bucket now. */
    public synchronized void drain(long now) {
        tokens = 0;
        at = now;
    }

    /** Nanoseconds since the bucket was last used. */
    public synchronized long idleNanos(long now) {
        return now - at;
    }
}
