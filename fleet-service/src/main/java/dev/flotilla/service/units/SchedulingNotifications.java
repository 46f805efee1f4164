package dev.flotilla.service.units;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.flotilla.service.notify.NotifyHandler;

/**
 * Hears {@link SchedulingMarks}' notifications: on the leading replica they mark the organizations
 * dirty for {@link SchedulerLoop}; the other replicas drop them (a replica that becomes leader
 * passes over every organization first). When the LISTEN connection was lost, marks may have been
 * missed: the leader passes over every organization.
 */
@ApplicationScoped
public class SchedulingNotifications implements NotifyHandler {
    private static final org.jboss.logging.Logger LOG =
            org.jboss.logging.Logger.getLogger(SchedulingNotifications.class);
    private final DirtyOrgs dirty = new DirtyOrgs();

    @Inject
    SchedulerLeader leader;

    @Inject
    SchedulerLoop loop;

    @Override
    public String channel() {
        return SchedulingMarks.CHANNEL;
    }

    @Override
    public void received(List<String> payloads) {
        if (!leader.isLeader()) {
            return;
        }
        long now = System.nanoTime();
        for (String p : payloads) {
            try {
                dirty.mark(UUID.fromString(p), now);
            } catch (IllegalArgumentException e) {
                // not one of ours: nothing to mark
            }
        }
        loop.wake();
    }

    /** What the leader must reconcile; drained by {@link SchedulerLoop} (a method: a field read through the proxy is not this one). */
    DirtyOrgs dirty() {
        return dirty;
    }

    @Override
    public void resumed() {
        dirty.requestFullPass();
    }
}
