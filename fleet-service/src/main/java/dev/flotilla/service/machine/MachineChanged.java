package dev.flotilla.service.machine;

import java.util.UUID;

/**
 * A machine was enrolled, removed or its labels changed (presence changes are {@link
 * PresenceChanged}): what the scheduler places units by. Fired synchronously in the changing
 * transaction, so an observer's writes commit or roll back with the change.
 */
public record MachineChanged(UUID orgId, String machineId) {}
