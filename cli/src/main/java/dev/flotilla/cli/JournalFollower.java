package dev.flotilla.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Which entries of a journal tail were not printed yet. Each answer is the last entries, oldest
 * first; the new ones are those after the newest time printed, and, at that very time, those not
 * printed yet (several entries may share a timestamp).
 */
final class JournalFollower {
    private String lastTime;
    private final Set<String> atLastTime = new HashSet<>();

    List<JsonNode> news(JsonNode entries) {
        List<JsonNode> fresh = new ArrayList<>();
        for (JsonNode e : entries) {
            String time = e.path("time").asText("");
            String key = e.path("pid").asText("") + " " + e.path("message").asText("");
            int order = lastTime == null ? 1 : compare(time, lastTime);
            if (order < 0 || (order == 0 && atLastTime.contains(key))) {
                continue;
            }
            if (order > 0) {
                lastTime = time;
                atLastTime.clear();
            }
            atLastTime.add(key);
            fresh.add(e);
        }
        return fresh;
    }

    /** ISO-8601 instants as the service writes them; compared as instants when they parse. */
    private static int compare(String a, String b) {
        try {
            return java.time.Instant.parse(a).compareTo(java.time.Instant.parse(b));
        } catch (java.time.format.DateTimeParseException e) {
            return a.compareTo(b);
        }
    }
}
