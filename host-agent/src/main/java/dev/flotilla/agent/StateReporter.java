package dev.flotilla.agent;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.flotilla.agent.containers.ContainerWatcher;
import dev.flotilla.agent.units.SystemdUnits;
import dev.flotilla.api.protocol.ContainerState;
import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.StateChange;
import dev.flotilla.api.protocol.StateChanges;
import dev.flotilla.api.protocol.StateSnapshot;
import dev.flotilla.api.protocol.UnitState;

/**
 * Journals every observed unit and container transition and sends it when connected. On each new session it
 * first resends what the service has not acknowledged (in order, with the original times), then a
 * full snapshot. Everything goes through the journal first, so a change seen while disconnected
 * is sent later, and one seen while connected is not lost if the connection drops under it.
 */
public final class StateReporter implements SystemdUnits.Listener, ContainerWatcher.Listener {
    static final int CHUNK = 500;

    private final StateJournal journal;
    private final Supplier<List<UnitState>> units;
    private final Supplier<List<ContainerState>> containers;
    private Consumer<Frame> sender;

    /**
     * @param units every reported unit, now
     * @param containers every container, now; null when no container engine answers
     */
    public StateReporter(
            StateJournal journal, Supplier<List<UnitState>> units, Supplier<List<ContainerState>> containers) {
        this.journal = journal;
        this.units = units;
        this.containers = containers;
    }

    @Override
    public synchronized void changed(UnitState unit) {
        send(journal.record(seq -> StateChange.of(seq, Instant.now(), unit)));
    }

    @Override
    public synchronized void removed(UnitState lastKnown) {
        send(journal.record(seq -> StateChange.removal(seq, Instant.now(), lastKnown)));
    }

    @Override
    public synchronized void containerChanged(ContainerState container) {
        send(journal.record(seq -> StateChange.of(seq, Instant.now(), container)));
    }

    @Override
    public synchronized void containerRemoved(ContainerState lastKnown) {
        send(journal.record(seq -> StateChange.removal(seq, Instant.now(), lastKnown)));
    }

    /** A session is open: replay, then snapshot, then live changes. */
    public synchronized void connected(Consumer<Frame> send) {
        List<StateChange> pending = journal.pending();
        for (int i = 0; i < pending.size(); i += CHUNK) {
            send.accept(new StateChanges(pending.subList(i, Math.min(pending.size(), i + CHUNK))));
        }
        send.accept(new StateSnapshot(journal.nextSeq(), Instant.now(), units.get(), containers.get()));
        sender = send;
    }

    public synchronized void disconnected() {
        sender = null;
    }

    public void acknowledged(long seq) {
        journal.acknowledge(seq);
    }

    /** The last sequence number recorded or sent (a snapshot's included). */
    public long recorded() {
        return journal.seq();
    }

    /** The highest sequence number the service has acknowledged. */
    public long acknowledged() {
        return journal.acknowledged();
    }

    /** Whether the service has acknowledged every recorded transition. */
    public boolean allAcknowledged() {
        return journal.pendingCount() == 0;
    }

    private void send(StateChange change) {
        if (sender != null) {
            sender.accept(new StateChanges(List.of(change)));
        }
    }
}
