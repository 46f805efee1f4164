package dev.flotilla.api.protocol;

import java.util.List;

/**
 * Agent → service: unit and container transitions in the order observed. Sent live, and after a reconnect for
 * everything the agent journaled while cut off. The service stores each {@code seq} once.
 */
public record StateChanges(List<StateChange> changes) implements Frame {
    public StateChanges {
        changes = List.copyOf(changes);
    }
}
