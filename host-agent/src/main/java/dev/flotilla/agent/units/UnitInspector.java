package dev.flotilla.agent.units;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.flotilla.agent.AgentClient;
import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.UnitQuery;
import dev.flotilla.api.protocol.UnitQueryReply;
import dev.flotilla.api.unit.UnitNames;

/**
 * Answers the service's two fixed questions about a unit: the tail of its journal ({@code
 * journalctl -u NAME -n N -o json}, run without a shell, the name checked first) and its status
 * (from systemd over D-Bus). Nothing else is run.
 */
public final class UnitInspector implements AgentClient.QueryHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE = 4096;

    /**
     * The most a journal answer may take once encoded: well inside the service's frame limit
     * ({@link dev.flotilla.api.protocol.Protocol#MAX_FRAME_BYTES}), so that no answer, however long
     * its lines (1,000 of 4 KiB would be 4 MiB), gets the agent disconnected for a frame too big.
     */
    static final int MAX_JOURNAL_BYTES = 512 * 1024;

    private final SystemdControl systemd;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "unit-queries");
        t.setDaemon(true);
        return t;
    });

    public UnitInspector(SystemdControl systemd) {
        this.systemd = systemd;
    }

    @Override
    public void answer(UnitQuery query, Consumer<Frame> reply) {
        worker.execute(() -> reply.accept(answerNow(query)));
    }

    UnitQueryReply answerNow(UnitQuery q) {
        if (!UnitNames.isValid(q.unit())) {
            return new UnitQueryReply(q.requestId(), null, null, "not a systemd unit name");
        }
        if (UnitQuery.JOURNAL.equals(q.what())) {
            if (q.lines() < 1 || q.lines() > 1000) {
                return new UnitQueryReply(q.requestId(), null, null, "lines must be 1 to 1000");
            }
            try {
                return new UnitQueryReply(q.requestId(), journal(q.unit(), q.lines()), null, null);
            } catch (IOException e) {
                return new UnitQueryReply(q.requestId(), null, null, e.getMessage());
            }
        }
        if (UnitQuery.STATUS.equals(q.what())) {
            UnitQueryReply.UnitStatus status = systemd == null ? null : systemd.status(q.unit());
            return status == null
                    ? new UnitQueryReply(q.requestId(), null, null, "systemd does not have " + q.unit() + " loaded")
                    : new UnitQueryReply(q.requestId(), null, status, null);
        }
        return new UnitQueryReply(q.requestId(), null, null, "unknown question '" + q.what() + "'");
    }

    static List<UnitQueryReply.JournalEntry> journal(String unit, int lines) throws IOException {
        Process p = new ProcessBuilder(
                        "journalctl", "-u", unit, "-n", Integer.toString(lines), "-o", "json", "--no-pager", "-q")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        List<UnitQueryReply.JournalEntry> out = new ArrayList<>();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("journalctl did not finish in 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode e = JSON.readTree(line);
            Instant time = null;
            if (e.hasNonNull("__REALTIME_TIMESTAMP")) {
                long us = Long.parseLong(e.get("__REALTIME_TIMESTAMP").asText());
                time = Instant.ofEpochSecond(us / 1_000_000, (us % 1_000_000) * 1000);
            }
            Integer priority =
                    e.hasNonNull("PRIORITY") ? Integer.valueOf(e.get("PRIORITY").asText()) : null;
            String pid = e.hasNonNull("_PID") ? e.get("_PID").asText() : null;
            JsonNode m = e.get("MESSAGE");
            String message = m == null || m.isNull() ? "" : m.isArray() ? "[binary message]" : m.asText();
            if (message.length() > MAX_MESSAGE) {
                message = message.substring(0, MAX_MESSAGE) + "...";
            }
            out.add(new UnitQueryReply.JournalEntry(time, priority, pid, message));
        }
        return newestWithin(out, MAX_JOURNAL_BYTES);
    }

    /** The newest entries (the list's last) whose JSON together stays within {@code budget} bytes. */
    static List<UnitQueryReply.JournalEntry> newestWithin(List<UnitQueryReply.JournalEntry> entries, int budget)
            throws IOException {
        long used = 0;
        int from = entries.size();
        while (from > 0) {
            long size =
                    dev.flotilla.api.protocol.FrameCodec.mapper().writeValueAsBytes(entries.get(from - 1)).length + 1L;
            if (used + size > budget) {
                break;
            }
            used += size;
            from--;
        }
        return new ArrayList<>(entries.subList(from, entries.size()));
    }

    public void close() {
        worker.shutdownNow();
    }
}
