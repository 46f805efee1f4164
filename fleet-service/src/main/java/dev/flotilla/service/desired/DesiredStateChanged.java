package dev.flotilla.service.desired;

import dev.flotilla.service.machine.MachineRef;

/**
 * A machine's desired state has a new generation (committed; heard through PostgreSQL by every
 * replica, see {@link DesiredStateListener}).
 */
public record DesiredStateChanged(MachineRef machine) {}
