package dev.flotilla.api.protocol;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Agent → service: every reported unit and container, after the journal on each connect. Units
 * (and containers) the service knew for this machine and the snapshot lacks are gone.
 *
 * @param seq the agent's sequence number when the snapshot was taken
 * @param observedAt when it was taken
 * @param units the reported units
 * @param containers the host's containers; null when the agent has no container engine to ask
 *     (then the service keeps what it knew, which is nothing on a host that never had an engine)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StateSnapshot(long seq, Instant observedAt, List<UnitState> units, List<ContainerState> containers)
        implements Frame {
    public StateSnapshot {
        units = List.copyOf(units);
        containers = containers == null ? null : List.copyOf(containers);
    }

    public StateSnapshot(long seq, Instant observedAt, List<UnitState> units) {
        this(seq, observedAt, units, null);
    }
}
