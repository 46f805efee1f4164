package dev.flotilla.service.auth;

import java.time.Duration;

/**
 * The rules against password guessing, as pure code ({@code GuessingTest}). A lockout per user name
 * alone is a weapon: anyone could keep {@code admin} out by failing ten times. So the hard refusal
 * is per (user name, address) and per address; across addresses a user name only gets slower: each
 * attempt waits longer the more it failed lately, without holding a thread, and the right password
 * from a fresh address still signs in.
 */
final class Guessing {
    /** Failures of a user name (from anywhere) before its attempts start to wait. */
    static final int FREE_FAILURES = 3;

    private static final Duration FIRST_DELAY = Duration.ofMillis(250);

    private Guessing() {}

    /**
     * Whether an attempt is refused without its password being checked: its address failed for this
     * name {@code maxPerNameAndAddress} times, or for any names {@code maxPerAddress} times, lately.
     */
    static boolean refused(
            int failuresOfNameFromAddress, int failuresFromAddress, int maxPerNameAndAddress, int maxPerAddress) {
        return failuresOfNameFromAddress >= maxPerNameAndAddress || failuresFromAddress >= maxPerAddress;
    }

    /** How long an attempt for a name that failed {@code failuresOfName} times lately waits first. */
    static Duration delay(int failuresOfName, Duration max) {
        if (failuresOfName < FREE_FAILURES) {
            return Duration.ZERO;
        }
        int doublings = Math.min(failuresOfName - FREE_FAILURES, 30);
        Duration d = FIRST_DELAY.multipliedBy(1L << doublings);
        return d.compareTo(max) > 0 ? max : d;
    }
}
