package dev.flotilla.api.protocol;

import java.time.Instant;
import java.util.List;

/**
 * Agent → service: the answer to a {@link UnitQuery}.
 *
 * @param requestId the query's id
 * @param journal for {@code journal}: the entries, oldest first
 * @param status for {@code status}: the unit's detail
 * @param error why there is no answer, e.g. the unit is unknown
 */
public record UnitQueryReply(String requestId, List<JournalEntry> journal, UnitStatus status, String error)
        implements Frame {
    public UnitQueryReply {
        journal = journal == null ? List.of() : List.copyOf(journal);
    }

    /** One journal entry, as {@code journalctl -o json} gives it, in fewer words. */
    public record JournalEntry(Instant time, Integer priority, String pid, String message) {}

    /** What {@code systemctl status} shows of a unit. */
    public record UnitStatus(
            String name,
            String description,
            String load,
            String active,
            String sub,
            String fragmentPath,
            Instant since,
            Long mainPid,
            String result,
            Long tasks,
            Long memoryBytes) {}
}
