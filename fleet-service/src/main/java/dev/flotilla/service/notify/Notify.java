package dev.flotilla.service.notify;

import jakarta.persistence.EntityManager;

/** Sending a notification: part of the caller's transaction, delivered to every replica at commit. */
public final class Notify {
    private Notify() {}

    /** {@code NOTIFY channel, payload} in {@code em}'s transaction (payloads up to 8000 bytes). */
    public static void send(EntityManager em, String channel, String payload) {
        em.createNativeQuery("select cast(pg_notify(:c, :p) as text)")
                .setParameter("c", channel)
                .setParameter("p", payload)
                .getSingleResult();
    }

    /** Many notifications on one channel in one statement (one round trip, not one per payload). */
    public static void sendAll(EntityManager em, String channel, String[] payloads) {
        if (payloads.length == 0) {
            return;
        }
        em.createNativeQuery("select cast(count(pg_notify(:c, p)) as text) from unnest(cast(:p as text[])) as p")
                .setParameter("c", channel)
                .setParameter("p", payloads)
                .getSingleResult();
    }
}
