package dev.flotilla.service.notify;

import java.util.List;

/**
 * A feature's handler of one PostgreSQL {@code NOTIFY} channel, found by {@link NotifyHub} as a
 * CDI bean. Notifications are sent in the changing transaction ({@link Notify#send}), so only
 * committed changes are heard, by every replica.
 */
public interface NotifyHandler {
    /** The channel this handler listens on (lower case, no quoting needed). */
    String channel();

    /**
     * The payloads that arrived together on the channel, in the order they were sent. Called on the
     * hub's one thread: hand anything slow to another executor.
     */
    void received(List<String> payloads);

    /**
     * The hub listens again after its connection was lost: notifications sent meanwhile were
     * missed, so resend or re-read what they would have said.
     */
    default void resumed() {}
}
