package dev.flotilla.service.desired;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import dev.flotilla.service.machine.MachineRef;
import dev.flotilla.service.notify.NotifyHandler;

/**
 * Carries desired-state changes to the replica that holds each agent's connection: {@link
 * DesiredStateService#bump} sends {@code NOTIFY flotilla_desired '<org>:<machine>'} in the
 * changing transaction; every replica hears it and fires {@link DesiredStateChanged}, which the
 * replica holding that agent's session answers with the new desired state. After the hub's
 * connection was lost and made again, {@link DesiredStateResync} asks every replica to resend to
 * all its agents what may have been missed (agents ignore a generation they already have).
 */
@ApplicationScoped
public class DesiredStateNotifications implements NotifyHandler {
    static final String CHANNEL = "flotilla_desired";

    @Inject
    Event<DesiredStateChanged> changed;

    @Inject
    Event<DesiredStateResync> resync;

    @Override
    public String channel() {
        return CHANNEL;
    }

    @Override
    public void received(List<String> payloads) {
        Set<MachineRef> machines = new LinkedHashSet<>();
        payloads.stream().map(MachineRef::parse).filter(Objects::nonNull).forEach(machines::add);
        if (!machines.isEmpty()) {
            changed.fire(new DesiredStateChanged(List.copyOf(machines)));
        }
    }

    @Override
    public void resumed() {
        resync.fire(new DesiredStateResync());
    }
}
