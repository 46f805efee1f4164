package dev.flotilla.agent;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.LongFunction;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.flotilla.api.protocol.FrameCodec;
import dev.flotilla.api.protocol.StateChange;

/**
 * Every observed unit and container transition the service has not acknowledged, on disk in the agent's state
 * folder ({@code state-journal.jsonl}, one change per line, appended), so that nothing is lost while
 * the service is away or the agent restarts. Bounded by a count and a size: when full, the oldest
 * changes are folded into one gap record that says how many were dropped, never silently.
 * Sequence numbers keep increasing across restarts.
 */
public final class StateJournal {
    private static final Logger LOG = Logger.getLogger(StateJournal.class.getName());
    private static final ObjectMapper JSON = FrameCodec.mapper();

    private final Path file;
    private final Path ackFile;
    private final int maxEntries;
    private final long maxBytes;
    private final Deque<Entry> entries = new ArrayDeque<>();
    private long bytes;
    private long seq;
    private long acked;
    private BufferedWriter out;

    private record Entry(StateChange change, int size) {}

    public StateJournal(Path stateDir, int maxEntries, long maxBytes) {
        this.file = stateDir.resolve("state-journal.jsonl");
        this.ackFile = stateDir.resolve("state-journal.acked");
        this.maxEntries = Math.max(2, maxEntries);
        this.maxBytes = Math.max(1024, maxBytes);
        try {
            Files.createDirectories(stateDir);
            load();
            out = Files.newBufferedWriter(
                    file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the state journal in " + stateDir, e);
        }
    }

    private StateJournal(int maxEntries) {
        this.file = null;
        this.ackFile = null;
        this.maxEntries = Math.max(2, maxEntries);
        this.maxBytes = Long.MAX_VALUE;
    }

    /**
     * A journal kept in memory only, with the same bounds, folding and acknowledgement as on disk: for
     * the load tests' simulated hosts, thousands in one process, where a file each would exhaust the
     * process's file descriptors and measure the disk instead of the service.
     */
    public static StateJournal inMemory(int maxEntries) {
        return new StateJournal(maxEntries);
    }

    /** Records a transition, made with the next sequence number, and returns it. */
    public synchronized StateChange record(LongFunction<StateChange> withSeq) {
        StateChange change = withSeq.apply(++seq);
        add(change);
        while (entries.size() > maxEntries || bytes > maxBytes) {
            foldOldest();
        }
        return change;
    }

    /** The service stored everything up to {@code upTo}: forget it. */
    public synchronized void acknowledge(long upTo) {
        if (upTo <= acked) {
            return;
        }
        acked = Math.min(upTo, seq);
        boolean dropped = false;
        while (!entries.isEmpty() && entries.peekFirst().change().seq() <= acked) {
            bytes -= entries.removeFirst().size();
            dropped = true;
        }
        if (file == null) {
            return;
        }
        try {
            AtomicFiles.write(ackFile, Long.toString(acked).getBytes(StandardCharsets.US_ASCII));
            if (dropped) {
                rewrite();
            }
        } catch (IOException e) {
            LOG.warning("cannot trim the state journal: " + e.getMessage());
        }
    }

    /** What the service has not acknowledged yet, oldest first. */
    public synchronized List<StateChange> pending() {
        List<StateChange> out = new ArrayList<>(entries.size());
        entries.forEach(e -> out.add(e.change()));
        return out;
    }

    /** How many records wait for the service's acknowledgement. */
    public synchronized int pendingCount() {
        return entries.size();
    }

    /** The highest sequence number the service has acknowledged. */
    public synchronized long acknowledged() {
        return acked;
    }

    /** The last sequence number handed out. */
    public synchronized long seq() {
        return seq;
    }

    /** Takes a sequence number for a snapshot, so that later changes sort after it. */
    public synchronized long nextSeq() {
        return ++seq;
    }

    public synchronized void close() {
        if (out == null) {
            return;
        }
        try {
            out.close();
        } catch (IOException e) {
            LOG.fine("closing the state journal: " + e.getMessage());
        }
    }

    private void add(StateChange change) {
        if (file == null) {
            entries.addLast(new Entry(change, 200));
            bytes += 200;
            return;
        }
        try {
            String line = JSON.writeValueAsString(change);
            out.write(line);
            out.write('\n');
            out.flush();
            entries.addLast(new Entry(change, line.length() + 1));
            bytes += line.length() + 1;
        } catch (IOException e) {
            // Kept in memory at least; the gap between disk and memory is only lost if we crash too.
            LOG.warning("cannot append to the state journal: " + e.getMessage());
            entries.addLast(new Entry(change, 200));
            bytes += 200;
        }
    }

    /**
     * Replaces the oldest tenth of the records by one gap that counts what they held (a tenth at a
     * time, so that a full journal is rewritten once per many changes, not at every one).
     */
    private void foldOldest() {
        int n = Math.max(2, Math.min(entries.size(), maxEntries / 10));
        long dropped = 0;
        StateChange last = null;
        for (int i = 0; i < n && !entries.isEmpty(); i++) {
            last = entries.removeFirst().change();
            dropped += count(last);
        }
        StateChange gap = StateChange.gap(last.seq(), last.observedAt(), dropped);
        entries.addFirst(new Entry(gap, 100));
        bytes = entries.stream().mapToLong(Entry::size).sum();
        LOG.warning("state journal full: " + dropped + " oldest transitions folded into a gap record");
        try {
            rewrite();
        } catch (IOException e) {
            LOG.warning("cannot rewrite the state journal: " + e.getMessage());
        }
    }

    private static long count(StateChange c) {
        return c.isGap() ? c.dropped() : 1;
    }

    private void rewrite() throws IOException {
        if (file == null) {
            return;
        }
        out.close();
        writeAll();
        out = Files.newBufferedWriter(
                file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private void writeAll() throws IOException {
        StringBuilder all = new StringBuilder();
        for (Entry e : entries) {
            all.append(JSON.writeValueAsString(e.change())).append('\n');
        }
        AtomicFiles.write(file, all.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void load() throws IOException {
        if (Files.exists(ackFile)) {
            String text = Files.readString(ackFile, StandardCharsets.US_ASCII).trim();
            try {
                acked = Long.parseLong(text);
            } catch (NumberFormatException e) {
                // Damaged (it is written atomically, so only a disk could do this): resend all the
                // journal holds; the service stores each transition once however often it comes.
                LOG.warning("unreadable " + ackFile + " ('" + text + "'): resending every journalled transition");
                acked = 0;
            }
        }
        seq = acked;
        if (!Files.exists(file)) {
            return;
        }
        int bad = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                StateChange c = JSON.readValue(line, StateChange.class);
                seq = Math.max(seq, c.seq());
                if (c.seq() > acked) {
                    entries.addLast(new Entry(c, line.length() + 1));
                    bytes += line.length() + 1;
                }
            } catch (IOException e) {
                bad++; // a line cut short by a crash: the last one, typically
            }
        }
        if (bad > 0) {
            // A line cut short by a crash: say that something was lost rather than nothing.
            LOG.warning(bad + " unreadable line(s) in the state journal became a gap record");
            StateChange gap = StateChange.gap(++seq, java.time.Instant.now(), bad);
            entries.addLast(new Entry(gap, 100));
            bytes += 100;
        }
        writeAll();
    }
}
