package dev.flotilla.service.desired;

import dev.flotilla.service.machine.MachineRef;

/**
 * A machine's agent reported the results of applying a generation of its desired state (a rollout
 * waits on them). Fired synchronously in the transaction that stores the results.
 */
public record DesiredStateApplied(MachineRef machine) {}
