package dev.flotilla.service.desired;

import dev.flotilla.service.machine.MachineRef;

/** Fired (after commit) when a machine's desired state has a new generation. */
public record DesiredStateChanged(MachineRef machine) {}
