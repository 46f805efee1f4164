package dev.flotilla.service.machine;

import java.util.UUID;

/** A machine named by its organization and id. */
public record MachineRef(UUID orgId, String machineId) {}
