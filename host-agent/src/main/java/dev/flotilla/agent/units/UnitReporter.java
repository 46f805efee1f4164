package dev.flotilla.agent.units;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.UnitChange;
import dev.flotilla.api.protocol.UnitChanges;
import dev.flotilla.api.protocol.UnitSnapshot;
import dev.flotilla.api.protocol.UnitState;

/**
 * Journals every observed unit transition and sends it when connected. On each new session it
 * first resends what the service has not acknowledged (in order, with the original times), then a
 * full snapshot. Everything goes through the journal first, so a change seen while disconnected
 * is sent later, and one seen while connected is not lost if the connection drops under it.
 */
public final class UnitReporter implements SystemdUnits.Listener {
    static final int CHUNK = 500;

    private final UnitJournal journal;
    private final Supplier<List<UnitState>> units;
    private Consumer<Frame> sender;

    public UnitReporter(UnitJournal journal, Supplier<List<UnitState>> units) {
        this.journal = journal;
        this.units = units;
    }

    @Override
    public synchronized void changed(UnitState unit) {
        send(journal.record(unit, false, Instant.now()));
    }

    @Override
    public synchronized void removed(UnitState lastKnown) {
        send(journal.record(lastKnown, true, Instant.now()));
    }

    /** A session is open: replay, then snapshot, then live changes. */
    public synchronized void connected(Consumer<Frame> send) {
        List<UnitChange> pending = journal.pending();
        for (int i = 0; i < pending.size(); i += CHUNK) {
            send.accept(new UnitChanges(pending.subList(i, Math.min(pending.size(), i + CHUNK))));
        }
        send.accept(new UnitSnapshot(journal.nextSeq(), Instant.now(), units.get()));
        sender = send;
    }

    public synchronized void disconnected() {
        sender = null;
    }

    public void acknowledged(long seq) {
        journal.acknowledge(seq);
    }

    private void send(UnitChange change) {
        if (sender != null) {
            sender.accept(new UnitChanges(List.of(change)));
        }
    }
}
