package dev.flotilla.service.machine;

import java.util.UUID;

/** Fired (after commit) when a machine is removed: its session must end. */
public record MachineRemoved(UUID orgId, String machineId) {}
