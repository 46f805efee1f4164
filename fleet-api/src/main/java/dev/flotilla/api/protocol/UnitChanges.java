package dev.flotilla.api.protocol;

import java.util.List;

/**
 * Agent → service: transitions in the order observed. Sent live, and after a reconnect for
 * everything the agent journaled while cut off. The service stores each {@code seq} once.
 */
public record UnitChanges(List<UnitChange> changes) implements Frame {
    public UnitChanges {
        changes = List.copyOf(changes);
    }
}
