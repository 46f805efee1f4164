package dev.flotilla.api.protocol;

import java.time.Instant;
import java.util.List;

/**
 * Agent → service: every reported unit, after the journal on each connect. Units the service
 * knew for this machine and the snapshot lacks are gone.
 *
 * @param seq the agent's sequence number when the snapshot was taken
 * @param observedAt when it was taken
 * @param units the reported units
 */
public record UnitSnapshot(long seq, Instant observedAt, List<UnitState> units) implements Frame {
    public UnitSnapshot {
        units = List.copyOf(units);
    }
}
