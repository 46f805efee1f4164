package dev.flotilla.service.machine;

import java.time.Instant;
import java.util.UUID;

/**
 * Fired in the changing transaction whenever a machine's presence changes (observers that tell
 * others wait for the commit; the scheduler's marks join the transaction).
 */
public record PresenceChanged(UUID orgId, String machineId, String hostname, Presence presence, Instant at) {}
