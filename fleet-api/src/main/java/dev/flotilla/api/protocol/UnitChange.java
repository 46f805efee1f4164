package dev.flotilla.api.protocol;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * One observed transition of a unit, or a gap in what was kept.
 *
 * @param seq the agent's sequence number: increasing, kept across agent restarts
 * @param observedAt when the agent saw it
 * @param unit the unit's state after the change; for a removed unit only its name matters
 * @param removed the unit disappeared from systemd
 * @param dropped for a gap record ({@code unit} null): how many transitions the agent's full
 *     journal had to drop, oldest first; 0 otherwise
 */
public record UnitChange(long seq, Instant observedAt, UnitState unit, boolean removed, long dropped) {
    public static UnitChange of(long seq, Instant observedAt, UnitState unit) {
        return new UnitChange(seq, observedAt, unit, false, 0);
    }

    public static UnitChange removal(long seq, Instant observedAt, UnitState unit) {
        return new UnitChange(seq, observedAt, unit, true, 0);
    }

    public static UnitChange gap(long seq, Instant observedAt, long dropped) {
        return new UnitChange(seq, observedAt, null, false, dropped);
    }

    @JsonIgnore
    public boolean isGap() {
        return unit == null;
    }
}
