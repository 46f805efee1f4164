package dev.flotilla.service.notify;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import dev.flotilla.service.common.DirectConnections;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The one {@code LISTEN} connection of a replica (PostgreSQL {@code LISTEN/NOTIFY}): it listens on
 * the channel of every {@link NotifyHandler} and hands each handler, per batch PostgreSQL
 * delivers, the payloads of its channel in order. When the connection is lost it is made again
 * (backoff 0.5 s doubling to 10 s) and every handler is told it {@link NotifyHandler#resumed()}.
 * A handler's failure is logged and never stops the others.
 */
@ApplicationScoped
public class NotifyHub {
    private static final Logger LOG = Logger.getLogger(NotifyHub.class);

    @Inject
    DirectConnections connections;

    @Inject
    @Any
    Instance<NotifyHandler> handlers;

    private volatile boolean running;
    private Thread thread;

    void start(@Observes StartupEvent e) {
        running = true;
        thread = new Thread(this::listen, "notify-hub");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent e) {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void listen() {
        Map<String, NotifyHandler> byChannel = new LinkedHashMap<>();
        for (NotifyHandler h : handlers) {
            NotifyHandler before = byChannel.put(h.channel(), h);
            if (before != null) {
                throw new IllegalStateException("two handlers of channel " + h.channel() + ": " + before + ", " + h);
            }
        }
        boolean first = true;
        long backoff = 500;
        while (running) {
            try (Connection c = connections.open()) {
                try (Statement s = c.createStatement()) {
                    for (String channel : byChannel.keySet()) {
                        s.execute("LISTEN " + channel);
                    }
                }
                if (!first) {
                    LOG.info("listening for notifications again; handlers resume");
                    byChannel.values().forEach(h -> safely(h, "resuming", h::resumed));
                }
                first = false;
                backoff = 500;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notes = pg.getNotifications(1000);
                    if (notes != null && notes.length > 0) {
                        dispatch(byChannel, gather(pg, notes));
                    }
                }
            } catch (SQLException ex) {
                if (running) {
                    LOG.warnf("listening for notifications: %s; again in %d ms", ex.getMessage(), backoff);
                    try {
                        Thread.sleep(backoff);
                    } catch (InterruptedException ie) {
                        return;
                    }
                    backoff = Math.min(10_000, backoff * 2);
                }
            }
        }
    }

    /** Notifications handed over in one dispatch at most. */
    static final int MAX_GATHERED = 20_000;

    /**
     * The notifications that arrived with {@code first} and right after it (until the connection
     * has been quiet for 5 ms): a transaction that changed 10,000 machines reaches this connection
     * in many small reads, and each dispatch costs its handlers a few queries.
     */
    private static PGNotification[] gather(PGConnection pg, PGNotification[] first) throws SQLException {
        if (first.length >= MAX_GATHERED) {
            return first;
        }
        List<PGNotification> all = new ArrayList<>(List.of(first));
        long until = System.nanoTime() + 200_000_000L; // never hold a dispatch more than 200 ms
        while (all.size() < MAX_GATHERED && System.nanoTime() < until) {
            PGNotification[] more = pg.getNotifications(5);
            if (more == null || more.length == 0) {
                break;
            }
            all.addAll(List.of(more));
        }
        return all.toArray(PGNotification[]::new);
    }

    /** One call per channel for all that arrived together: a global unit changes thousands at once. */
    private static void dispatch(Map<String, NotifyHandler> byChannel, PGNotification[] notes) {
        Map<String, List<String>> batches = new LinkedHashMap<>();
        for (PGNotification n : notes) {
            batches.computeIfAbsent(n.getName(), k -> new ArrayList<>()).add(n.getParameter());
        }
        batches.forEach((channel, payloads) -> {
            NotifyHandler h = byChannel.get(channel);
            if (h != null) {
                safely(h, payloads.size() + " notification(s)", () -> h.received(payloads));
            }
        });
    }

    private static void safely(NotifyHandler h, String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ex) {
            LOG.warnf("channel %s, %s: %s", h.channel(), what, ex.getMessage());
        }
    }
}
