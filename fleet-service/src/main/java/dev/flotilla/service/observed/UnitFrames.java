package dev.flotilla.service.observed;

import java.time.Instant;
import java.util.List;

import dev.flotilla.api.protocol.UnitChange;
import dev.flotilla.api.protocol.UnitChanges;
import dev.flotilla.api.protocol.UnitSnapshot;
import dev.flotilla.api.protocol.UnitState;
import dev.flotilla.api.unit.UnitNames;

/** Checks unit frames before anything is stored: a bad frame is refused whole. */
public final class UnitFrames {
    /** Most changes in one frame, and most units in one snapshot. */
    public static final int MAX_ITEMS = 5000;

    private UnitFrames() {}

    /** Why the frame is refused, or {@code null} when it is fine. */
    public static String invalid(UnitChanges frame) {
        List<UnitChange> changes = frame.changes();
        if (changes.size() > MAX_ITEMS) {
            return "more than " + MAX_ITEMS + " changes in one frame";
        }
        long previous = Long.MIN_VALUE;
        for (UnitChange ch : changes) {
            if (ch.seq() <= 0 || ch.seq() <= previous) {
                return "sequence numbers must be positive and increasing";
            }
            previous = ch.seq();
            if (ch.observedAt() == null) {
                return "observedAt is required";
            }
            if (ch.isGap()) {
                if (ch.dropped() <= 0) {
                    return "a gap must say how many transitions were dropped";
                }
                continue;
            }
            String problem = invalid(ch.unit());
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    public static String invalid(UnitSnapshot frame) {
        if (frame.units().size() > MAX_ITEMS) {
            return "more than " + MAX_ITEMS + " units in one snapshot";
        }
        if (frame.seq() < 0 || frame.observedAt() == null) {
            return "a snapshot needs seq and observedAt";
        }
        for (UnitState u : frame.units()) {
            String problem = invalid(u);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static String invalid(UnitState u) {
        if (u == null || !UnitNames.isValid(u.name())) {
            return "invalid unit name";
        }
        if (!word(u.load()) || !word(u.active()) || !word(u.sub())) {
            return "invalid state for " + u.name();
        }
        if (u.description() != null && u.description().length() > 1024) {
            return "description of " + u.name() + " longer than 1024 characters";
        }
        if (u.hash() != null && !u.hash().matches("[0-9a-f]{40}")) {
            return "hash of " + u.name() + " is not a SHA-1";
        }
        if (u.changedAt() != null && u.changedAt().isAfter(Instant.now().plusSeconds(366L * 24 * 3600))) {
            return "changedAt of " + u.name() + " is far in the future";
        }
        return null;
    }

    private static boolean word(String s) {
        return s != null && !s.isEmpty() && s.length() <= 32 && s.matches("[a-z-]+");
    }
}
