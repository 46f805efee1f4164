package dev.flotilla.service.machine;

/** Whether a machine's agent is with us. */
public enum Presence {
    /** Connected and heartbeating. */
    ONLINE,
    /** No session, or no heartbeat within the TTL. */
    OFFLINE,
    /** Offline for longer than the grace period: its work may be moved elsewhere. */
    LOST;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * A {@code presence} filter as given in a query: absent means any.
     *
     * @throws dev.flotilla.service.common.ProblemException 400 for anything but the three names
     */
    public static Presence fromQuery(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Presence p = parse(text);
        if (p == null) {
            throw dev.flotilla.service.common.ProblemException.badRequest("presence must be online, offline or lost");
        }
        return p;
    }

    public static Presence parse(String s) {
        for (Presence p : values()) {
            if (p.wireName().equals(s)) {
                return p;
            }
        }
        return null;
    }
}
