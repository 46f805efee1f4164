package dev.flotilla.api.protocol;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One observed transition of a unit or a container, or a gap in what was kept. Units and
 * containers share the agent's one sequence, so the service sees them in the order they happened.
 *
 * @param seq the agent's sequence number: increasing, kept across agent restarts
 * @param observedAt when the agent saw it
 * @param unit the unit's state after the change; for a removed unit only its name matters
 * @param container the container's state after the change (when {@code unit} is null); for a
 *     removed container only its id and name matter
 * @param removed the unit disappeared from systemd, or the container from the engine
 * @param dropped for a gap record ({@code unit} and {@code container} null): how many transitions
 *     the agent's full journal had to drop, oldest first; 0 otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StateChange(
        long seq, Instant observedAt, UnitState unit, ContainerState container, boolean removed, long dropped) {
    public static StateChange of(long seq, Instant observedAt, UnitState unit) {
        return new StateChange(seq, observedAt, unit, null, false, 0);
    }

    public static StateChange removal(long seq, Instant observedAt, UnitState unit) {
        return new StateChange(seq, observedAt, unit, null, true, 0);
    }

    public static StateChange of(long seq, Instant observedAt, ContainerState container) {
        return new StateChange(seq, observedAt, null, container, false, 0);
    }

    public static StateChange removal(long seq, Instant observedAt, ContainerState container) {
        return new StateChange(seq, observedAt, null, container, true, 0);
    }

    public static StateChange gap(long seq, Instant observedAt, long dropped) {
        return new StateChange(seq, observedAt, null, null, false, dropped);
    }

    @JsonIgnore
    public boolean isGap() {
        return unit == null && container == null;
    }
}
