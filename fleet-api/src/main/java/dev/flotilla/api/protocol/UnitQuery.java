package dev.flotilla.api.protocol;

/**
 * Service → agent: tell me about one unit. The agent answers with {@link UnitQueryReply} carrying
 * the same {@code requestId}. Only these fixed questions exist; nothing else is ever run.
 *
 * @param requestId the service's id for matching the reply
 * @param unit the unit name
 * @param what {@code journal} (the tail of its journal) or {@code status} (systemctl status-like)
 * @param lines for {@code journal}: how many entries, 1 to 1000
 */
public record UnitQuery(String requestId, String unit, String what, int lines) implements Frame {
    public static final String JOURNAL = "journal";
    public static final String STATUS = "status";
}
