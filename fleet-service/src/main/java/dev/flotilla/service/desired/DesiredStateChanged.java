package dev.flotilla.service.desired;

import java.util.List;

import dev.flotilla.service.machine.MachineRef;

/**
 * Machines whose desired state has a new generation (committed; heard through PostgreSQL by every
 * replica, see {@link DesiredStateNotifications}, and passed on in the batches PostgreSQL delivers).
 */
public record DesiredStateChanged(List<MachineRef> machines) {
    public DesiredStateChanged {
        machines = List.copyOf(machines);
    }
}
