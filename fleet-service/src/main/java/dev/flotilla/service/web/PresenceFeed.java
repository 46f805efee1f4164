package dev.flotilla.service.web;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;

import dev.flotilla.service.machine.PresenceChanged;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;

/** Presence changes committed on this replica, for the dashboard's live view. */
@ApplicationScoped
public class PresenceFeed {
    private final BroadcastProcessor<PresenceChanged> changes = BroadcastProcessor.create();

    void onChange(@Observes(during = TransactionPhase.AFTER_SUCCESS) PresenceChanged change) {
        changes.onNext(change);
    }

    /** Changes in one organization, from now on. */
    public Multi<PresenceChanged> of(UUID orgId) {
        return changes.filter(c -> c.orgId().equals(orgId));
    }
}
