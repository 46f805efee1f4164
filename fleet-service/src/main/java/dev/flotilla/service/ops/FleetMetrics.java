package dev.flotilla.service.ops;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * The fleet-wide figures an operator alerts on, in {@code /q/metrics} of the management port:
 * machines by presence, managed units by state, failed units, live update leases, running
 * rollouts, and whether the database answers. They are counted across all organizations by one
 * query every 15 s (a scrape reads the last counts, never the database), on every replica alike:
 * aggregate them with {@code max}, not {@code sum}. Figures of one replica (agents connected
 * here, pushes in flight, scheduler leadership, ingest lag) are registered where they happen.
 */
@ApplicationScoped
public class FleetMetrics {
    private static final Logger LOG = Logger.getLogger(FleetMetrics.class);

    /** Presence values (the machine table's check constraint). */
    static final List<String> PRESENCES = List.of("online", "offline", "lost");

    /** systemd's active states; anything else an agent reports counts as {@code other}. */
    static final List<String> ACTIVE_STATES =
            List.of("active", "reloading", "inactive", "failed", "activating", "deactivating", "maintenance", "other");

    private static final String COUNTS = """
            select 'machines' as what, presence as key, count(*) as n from machine group by presence
            union all
            select 'units', active_state, count(*) from machine_unit where managed group by active_state
            union all
            select 'leases', '', count(*) from update_lease where ended_at is null and expires_at > now()
            union all
            select 'rollouts', '', count(*) from rollout where state = 'running'
            """;

    @Inject
    MeterRegistry registry;

    @Inject
    AgroalDataSource dataSource;

    private final Map<String, AtomicLong> machines = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> units = new ConcurrentHashMap<>();
    private final AtomicLong leases = new AtomicLong();
    private final AtomicLong rollouts = new AtomicLong();
    private final AtomicLong databaseUp = new AtomicLong();

    void register(@Observes StartupEvent event) {
        for (String presence : PRESENCES) {
            AtomicLong n = machines.computeIfAbsent(presence, p -> new AtomicLong());
            Gauge.builder("flotilla.machines", n, AtomicLong::get)
                    .description("machines of all organizations by presence")
                    .tag("presence", presence)
                    .register(registry);
        }
        for (String state : ACTIVE_STATES) {
            AtomicLong n = units.computeIfAbsent(state, s -> new AtomicLong());
            Gauge.builder("flotilla.units", n, AtomicLong::get)
                    .description("units Flotilla manages on machines, by systemd active state")
                    .tag("state", state)
                    .register(registry);
        }
        Gauge.builder("flotilla.units.failed", units.get("failed"), AtomicLong::get)
                .description("units Flotilla manages that are failed on their machine")
                .register(registry);
        Gauge.builder("flotilla.leases.held", leases, AtomicLong::get)
                .description("update leases held now (agents and FleetLock clients)")
                .register(registry);
        Gauge.builder("flotilla.rollouts.running", rollouts, AtomicLong::get)
                .description("rollouts of global units in progress (not paused)")
                .register(registry);
        Gauge.builder("flotilla.database.up", databaseUp, AtomicLong::get)
                .description("1 when the last count from the database succeeded, else 0")
                .register(registry);
        refresh();
    }

    @Scheduled(every = "15s", delayed = "15s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        // Twice: after a failover the pool may first hand out a connection to the old primary.
        if (!count(false)) {
            count(true);
        }
    }

    private boolean count(boolean last) {
        Map<String, Long> seenMachines = new java.util.HashMap<>();
        Map<String, Long> seenUnits = new java.util.HashMap<>();
        long seenLeases = 0;
        long seenRollouts = 0;
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.setQueryTimeout(10);
            try (ResultSet r = s.executeQuery(COUNTS)) {
                while (r.next()) {
                    String key = r.getString(2);
                    long n = r.getLong(3);
                    switch (r.getString(1)) {
                        case "machines" -> seenMachines.merge(key, n, Long::sum);
                        case "units" -> seenUnits.merge(ACTIVE_STATES.contains(key) ? key : "other", n, Long::sum);
                        case "leases" -> seenLeases = n;
                        case "rollouts" -> seenRollouts = n;
                        default -> {}
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            if (last && databaseUp.getAndSet(0) == 1) {
                LOG.warnf("fleet metrics: the database did not answer (%s)", e.getMessage());
            }
            return false;
        }
        machines.forEach((k, v) -> v.set(seenMachines.getOrDefault(k, 0L)));
        units.forEach((k, v) -> v.set(seenUnits.getOrDefault(k, 0L)));
        leases.set(seenLeases);
        rollouts.set(seenRollouts);
        databaseUp.set(1);
        return true;
    }
}
