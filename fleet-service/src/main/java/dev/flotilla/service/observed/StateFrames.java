package dev.flotilla.service.observed;

import java.time.Instant;
import java.util.List;

import dev.flotilla.api.protocol.ContainerState;
import dev.flotilla.api.protocol.StateChange;
import dev.flotilla.api.protocol.StateChanges;
import dev.flotilla.api.protocol.StateSnapshot;
import dev.flotilla.api.protocol.UnitState;
import dev.flotilla.api.unit.UnitNames;

/** Checks unit and container frames before anything is stored: a bad frame is refused whole. */
public final class StateFrames {
    // Compiled once: String.matches compiled a pattern for every field of every reported transition.
    private static final java.util.regex.Pattern CONTAINER_ID = java.util.regex.Pattern.compile("[0-9a-f]{12,64}");
    private static final java.util.regex.Pattern CONTAINER_NAME =
            java.util.regex.Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,255}");
    private static final java.util.regex.Pattern HASH = java.util.regex.Pattern.compile("[0-9a-f]{40}");
    private static final java.util.regex.Pattern WORD = java.util.regex.Pattern.compile("[a-z-]+");

    /** Most changes in one frame, and most units in one snapshot. */
    public static final int MAX_ITEMS = 5000;

    private StateFrames() {}

    /** Why the frame is refused, or {@code null} when it is fine. */
    public static String invalid(StateChanges frame) {
        List<StateChange> changes = frame.changes();
        if (changes.size() > MAX_ITEMS) {
            return "more than " + MAX_ITEMS + " changes in one frame";
        }
        long previous = Long.MIN_VALUE;
        for (StateChange ch : changes) {
            if (ch.seq() <= 0 || ch.seq() <= previous) {
                return "sequence numbers must be positive and increasing";
            }
            previous = ch.seq();
            if (ch.observedAt() == null) {
                return "observedAt is required";
            }
            if (ch.unit() != null && ch.container() != null) {
                return "a change is about a unit or a container, not both";
            }
            if (ch.isGap()) {
                if (ch.dropped() <= 0) {
                    return "a gap must say how many transitions were dropped";
                }
                continue;
            }
            String problem = ch.unit() != null ? invalid(ch.unit()) : invalid(ch.container());
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    public static String invalid(StateSnapshot frame) {
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
        if (frame.containers() != null) {
            if (frame.containers().size() > MAX_ITEMS) {
                return "more than " + MAX_ITEMS + " containers in one snapshot";
            }
            for (ContainerState k : frame.containers()) {
                String problem = invalid(k);
                if (problem != null) {
                    return problem;
                }
            }
        }
        return null;
    }

    private static String invalid(ContainerState k) {
        if (k.id() == null || !CONTAINER_ID.matcher(k.id()).matches()) {
            return "invalid container id";
        }
        if (k.name() == null || !CONTAINER_NAME.matcher(k.name()).matches()) {
            return "invalid name for container " + k.id();
        }
        if (k.image() == null || k.image().length() > 512) {
            return "invalid image for container " + k.name();
        }
        if (!word(k.state()) || (k.health() != null && !word(k.health()))) {
            return "invalid state for container " + k.name();
        }
        if (k.status() != null && k.status().length() > 256) {
            return "status of container " + k.name() + " longer than 256 characters";
        }
        if (k.labels().size() > 256) {
            return "more than 256 labels on container " + k.name();
        }
        for (var e : k.labels().entrySet()) {
            if (e.getKey().isEmpty()
                    || e.getKey().length() > 256
                    || e.getValue().length() > 4096) {
                return "label of container " + k.name() + " too long or empty";
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
        if (u.hash() != null && !HASH.matcher(u.hash()).matches()) {
            return "hash of " + u.name() + " is not a SHA-1";
        }
        if (u.changedAt() != null && u.changedAt().isAfter(Instant.now().plusSeconds(366L * 24 * 3600))) {
            return "changedAt of " + u.name() + " is far in the future";
        }
        return null;
    }

    private static boolean word(String s) {
        return s != null && !s.isEmpty() && s.length() <= 32 && WORD.matcher(s).matches();
    }
}
