package dev.flotilla.service.desired;

import dev.flotilla.service.machine.MachineRef;

/**
 * A desired unit set by hand was removed from a machine: a unit the scheduler places under the same
 * name (which the hand's kept out) may now go there. Fired synchronously in the removing transaction.
 */
public record HandUnitRemoved(MachineRef machine, String name) {}
