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

    public static Presence parse(String s) {
        for (Presence p : values()) {
            if (p.wireName().equals(s)) {
                return p;
            }
        }
        return null;
    }
}
