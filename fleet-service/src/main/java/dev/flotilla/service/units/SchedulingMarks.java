package dev.flotilla.service.units;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.TransactionSynchronizationRegistry;

import dev.flotilla.service.desired.DesiredStateApplied;
import dev.flotilla.service.desired.HandUnitRemoved;
import dev.flotilla.service.machine.MachineChanged;
import dev.flotilla.service.machine.PresenceChanged;
import dev.flotilla.service.notify.Notify;

/**
 * Tells the scheduler's leader, whichever replica it is, that an organization must be reconciled:
 * {@code NOTIFY flotilla_scheduling '<org>'} in the changing transaction, so the mark arrives only if
 * the change commits, and after it (the leader then reads the change). One notification per
 * organization and transaction, however many of its machines changed (a bulk label change, a sweep).
 * Heard by {@link SchedulingNotifications}.
 */
@ApplicationScoped
public class SchedulingMarks {
    static final String CHANNEL = "flotilla_scheduling";

    /** The organizations already marked in the current transaction. */
    private static final Object SENT = new Object();

    @Inject
    EntityManager em;

    @Inject
    TransactionSynchronizationRegistry transaction;

    @Inject
    RolloutService rollouts;

    /** {@code org} must be reconciled once the current transaction commits. */
    public void mark(UUID org) {
        @SuppressWarnings("unchecked")
        Set<UUID> sent = (Set<UUID>) transaction.getResource(SENT);
        if (sent == null) {
            sent = new HashSet<>();
            transaction.putResource(SENT, sent);
        }
        if (sent.add(org)) {
            Notify.send(em, CHANNEL, org.toString());
        }
    }

    /** Enrolled, removed, relabeled: which units a machine may run changed. */
    void machineChanged(@Observes MachineChanged change) {
        mark(change.orgId());
    }

    /** Online, offline, lost: where units may go (and whether they must move) changed. */
    void presenceChanged(@Observes PresenceChanged change) {
        mark(change.orgId());
    }

    /** A unit the scheduler places under that name was kept off the machine by the hand's. */
    void handUnitRemoved(@Observes HandUnitRemoved removed) {
        mark(removed.machine().orgId());
    }

    /** A rollout's batch waits on its machines' results; other results change nothing here. */
    void resultsStored(@Observes DesiredStateApplied applied) {
        if (rollouts.running(applied.machine().orgId())) {
            mark(applied.machine().orgId());
        }
    }
}
