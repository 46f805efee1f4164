package dev.flotilla.service.common;

import java.time.Duration;

/** Validation shared by the things people name and give a lifetime: tokens of every kind. */
public final class Checks {
    /** The longest lifetime of any token. */
    public static final Duration MAX_TTL = Duration.ofDays(365);

    private Checks() {}

    /** A display name: 1 to 100 characters once trimmed. */
    public static String name(String name) {
        String n = name == null ? "" : name.strip();
        if (n.isEmpty() || n.length() > 100) {
            throw ProblemException.badRequest("name must be 1 to 100 characters");
        }
        return n;
    }

    /** A lifetime: the default when absent, else positive and at most {@link #MAX_TTL}. */
    public static Duration ttl(Duration ttl, Duration fallback) {
        Duration t = ttl == null ? fallback : ttl;
        if (t.isNegative() || t.isZero() || t.compareTo(MAX_TTL) > 0) {
            throw ProblemException.badRequest("ttl must be positive and at most P365D");
        }
        return t;
    }
}
