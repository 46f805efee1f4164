package dev.flotilla.api.rest;

import java.util.List;

/** fleet's {@code GET /fleet/v1/state} answer (coreos/fleet Documentation/api-v1.md). */
public record FleetState(List<Entry> states, String nextPageToken) {
    /** One unit on one machine, in fleet's field names. */
    public record Entry(
            String name,
            String hash,
            String machineID,
            String systemdLoadState,
            String systemdActiveState,
            String systemdSubState) {}
}
