package dev.flotilla.service.machine;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import dev.flotilla.service.notify.NotifyHandler;

/**
 * A new credential asked for on any replica ({@code NOTIFY flotilla_rotate '<org>:<machine>'},
 * sent by {@link MachineService#requestCredentialRotation}): the replica holding the machine's
 * session issues it. A missed notification costs only time: the machine gets it at its next hello.
 */
@ApplicationScoped
public class CredentialRotationNotifications implements NotifyHandler {
    static final String CHANNEL = "flotilla_rotate";

    @Inject
    Event<CredentialRotationRequested> requested;

    @Override
    public String channel() {
        return CHANNEL;
    }

    @Override
    public void received(List<String> payloads) {
        for (String p : payloads) {
            MachineRef m = MachineRef.parse(p);
            if (m != null) {
                requested.fire(new CredentialRotationRequested(m));
            }
        }
    }
}
