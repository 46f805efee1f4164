package dev.flotilla.service.units;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import dev.flotilla.service.common.AdvisoryLocks;
import dev.flotilla.service.common.DirectConnections;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Which replica runs the scheduler's background loop: the one holding PostgreSQL's session
 * advisory lock {@link AdvisoryLocks#SCHEDULER_LEADER} on a connection of its own. When that replica dies its connection closes and
 * PostgreSQL frees the lock; another replica takes it at its next try (every {@code
 * flotilla.scheduler.every}, 2 s by default) and passes over every organization ({@link SchedulerLoop}). Placements made by requests do not need the leader: they are serialized per
 * organization anyway. Shown in /q/health/ready as {@code scheduler-leader}.
 */
@ApplicationScoped
public class SchedulerLeader {
    static final long LOCK = AdvisoryLocks.SCHEDULER_LEADER;
    private static final Logger LOG = Logger.getLogger(SchedulerLeader.class);

    @Inject
    SchedulerConfig config;

    @Inject
    DirectConnections connections;

    private Connection connection;
    private volatile boolean leader;

    /** Whether this replica leads now; tries to become the leader if nobody does. */
    public synchronized boolean lead() {
        try {
            if (connection == null || !connection.isValid(2)) {
                close();
                connection = connections.open();
                leader = false;
            }
            if (!leader) {
                try (Statement s = connection.createStatement();
                        ResultSet r = s.executeQuery("select pg_try_advisory_lock(" + LOCK + ")")) {
                    r.next();
                    leader = r.getBoolean(1);
                }
                if (leader) {
                    LOG.infof(
                            "this replica now runs the scheduler (marked organizations every %s, all every %s)",
                            config.reactEvery(), config.fullPassEvery());
                }
            }
        } catch (SQLException e) {
            LOG.warnf("scheduler leadership: %s", e.getMessage());
            close();
        }
        return leader;
    }

    /** Whether this replica leads, as of its last try (never waits for one in progress). */
    boolean isLeader() {
        return leader;
    }

    void registerMetrics(@Observes StartupEvent event, MeterRegistry registry) {
        Gauge.builder("flotilla.scheduler.leader", this, l -> l.isLeader() ? 1 : 0)
                .description("1 on the replica that runs the scheduler's rounds, 0 on the others")
                .register(registry);
    }

    void stop(@Observes ShutdownEvent e) {
        synchronized (this) {
            close();
        }
    }

    private void close() {
        leader = false;
        if (connection != null) {
            try {
                connection.close(); // frees the lock for another replica at once
            } catch (SQLException ignored) {
                // closing a broken connection
            }
            connection = null;
        }
    }

    /** Readiness shows whether this replica leads (always up: following is healthy too). */
    @Readiness
    @ApplicationScoped
    static class Health implements HealthCheck {
        @Inject
        SchedulerLeader leader;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("scheduler-leader")
                    .up()
                    .withData("leader", leader.isLeader())
                    .build();
        }
    }
}
