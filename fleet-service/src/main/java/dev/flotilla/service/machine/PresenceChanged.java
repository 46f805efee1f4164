package dev.flotilla.service.machine;

import java.time.Instant;
import java.util.UUID;

/** Fired (after commit) whenever a machine's presence changes. */
public record PresenceChanged(UUID orgId, String machineId, String hostname, Presence presence, Instant at) {}
