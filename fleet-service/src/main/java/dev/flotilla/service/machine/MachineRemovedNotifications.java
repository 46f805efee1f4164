package dev.flotilla.service.machine;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import dev.flotilla.service.notify.NotifyHandler;

/**
 * A machine removed on any replica ({@code NOTIFY flotilla_removed '<org>:<machine>'}, sent by
 * {@link MachineService#remove}): fires {@link MachineRemoved} here too, so that the replica
 * holding its session closes it.
 */
@ApplicationScoped
public class MachineRemovedNotifications implements NotifyHandler {
    static final String CHANNEL = "flotilla_removed";

    @Inject
    Event<MachineRemoved> removed;

    @Override
    public String channel() {
        return CHANNEL;
    }

    @Override
    public void received(List<String> payloads) {
        for (String p : payloads) {
            MachineRef m = MachineRef.parse(p);
            if (m != null) {
                removed.fire(new MachineRemoved(m.orgId(), m.machineId()));
            }
        }
    }
}
