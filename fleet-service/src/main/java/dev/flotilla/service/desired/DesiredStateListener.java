package dev.flotilla.service.desired;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import dev.flotilla.service.common.DirectConnections;
import dev.flotilla.service.common.QueryAsked;
import dev.flotilla.service.machine.MachineRef;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Carries desired-state changes to the replica that holds each agent's connection. A change is a
 * {@code NOTIFY flotilla_desired 'org:machine'} sent in the changing transaction (so only committed
 * changes are heard); every replica {@code LISTEN}s on a connection of its own and fires {@link
 * DesiredStateChanged} for each, which the replica holding that agent's session answers by sending
 * the new desired state. After the listening connection is lost and made again, {@link
 * DesiredStateResync} asks every replica to resend to all its agents what may have been missed
 * (agents ignore a generation they already have).
 */
@ApplicationScoped
public class DesiredStateListener {
    static final String CHANNEL = "flotilla_desired";
    /** Questions for agents held by another replica (the same connection listens to both). */
    public static final String QUERY_CHANNEL = "flotilla_query";

    private static final Logger LOG = Logger.getLogger(DesiredStateListener.class);

    @Inject
    DirectConnections connections;

    @Inject
    Event<DesiredStateChanged> changed;

    @Inject
    Event<DesiredStateResync> resync;

    @Inject
    Event<QueryAsked> asked;

    @Inject
    Event<dev.flotilla.service.machine.MachineRemoved> removed;

    private volatile boolean running;
    private Thread thread;

    void start(@Observes StartupEvent e) {
        running = true;
        thread = new Thread(this::listen, "desired-state-listener");
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
        boolean first = true;
        long backoff = 500;
        while (running) {
            try (Connection c = connections.open()) {
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                    s.execute("LISTEN " + QUERY_CHANNEL);
                    s.execute("LISTEN " + dev.flotilla.service.machine.MachineService.REMOVED_CHANNEL);
                }
                if (!first) {
                    LOG.info("listening for desired-state changes again; resending to connected agents");
                    resync.fire(new DesiredStateResync());
                }
                first = false;
                backoff = 500;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notes = pg.getNotifications(1000);
                    if (notes == null) {
                        continue;
                    }
                    // One event for all that arrived together: a global unit changes thousands at once.
                    Set<MachineRef> machines = new LinkedHashSet<>();
                    for (PGNotification n : notes) {
                        if (QUERY_CHANNEL.equals(n.getName())) {
                            try {
                                asked.fire(new QueryAsked(n.getParameter()));
                            } catch (RuntimeException ex) {
                                LOG.warnf("relaying question %s: %s", n.getParameter(), ex.getMessage());
                            }
                            continue;
                        }
                        MachineRef machine = parse(n.getParameter());
                        if (machine != null
                                && dev.flotilla.service.machine.MachineService.REMOVED_CHANNEL.equals(n.getName())) {
                            try {
                                removed.fire(new dev.flotilla.service.machine.MachineRemoved(
                                        machine.orgId(), machine.machineId()));
                            } catch (RuntimeException ex) {
                                LOG.warnf(
                                        "closing the session of removed machine %s: %s",
                                        n.getParameter(), ex.getMessage());
                            }
                        } else if (machine != null) {
                            machines.add(machine);
                        }
                    }
                    if (!machines.isEmpty()) {
                        try {
                            changed.fire(new DesiredStateChanged(new ArrayList<>(machines)));
                        } catch (RuntimeException ex) {
                            LOG.warnf("telling %d machines their desired state: %s", machines.size(), ex.getMessage());
                        }
                    }
                }
            } catch (SQLException ex) {
                if (running) {
                    LOG.warnf("listening for desired-state changes: %s; again in %d ms", ex.getMessage(), backoff);
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

    static String payload(MachineRef m) {
        return m.orgId() + ":" + m.machineId();
    }

    static MachineRef parse(String payload) {
        int colon = payload == null ? -1 : payload.indexOf(':');
        if (colon < 0) {
            return null;
        }
        try {
            return new MachineRef(UUID.fromString(payload.substring(0, colon)), payload.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
