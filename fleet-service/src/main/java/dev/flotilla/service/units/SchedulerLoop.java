package dev.flotilla.service.units;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * The leader's background scheduling. It reacts: every {@code react-every} (200 ms) it reconciles
 * the organizations marked since ({@link SchedulingMarks}, heard by {@link
 * SchedulingNotifications}), each once however often it changed, and only those, so its cost grows
 * with the organizations that change, not with those that exist. An organization whose share of
 * placement time is used up stays marked and is retried a second later; one with a running rollout
 * comes back every {@code every} (the rollout waits on time and on agents' unit states). A full
 * pass over every organization with units is the safety net: every {@code full-pass-every}, when
 * this replica becomes the leader, and after the LISTEN connection was lost. The two run on
 * threads of their own, so a long full pass does not hold up a change.
 */
@ApplicationScoped
public class SchedulerLoop {
    private static final Logger LOG = Logger.getLogger(SchedulerLoop.class);
    /** A share refills at {@code org-time-per-second}: a second on, there is some to spend. */
    static final long RETRY_NANOS = 1_000_000_000L;

    @Inject
    UnitScheduler scheduler;

    @Inject
    SchedulerLeader leader;

    @Inject
    SchedulingNotifications notifications;

    @Inject
    SchedulerConfig config;

    @Inject
    EntityManager em;

    @Inject
    MeterRegistry registry;

    private Timer round;
    private Counter reactive;
    private volatile long lastFullPass;
    private volatile boolean running;
    private volatile Thread reactor;

    void start(@Observes StartupEvent event) {
        round = Timer.builder("flotilla.scheduler.round")
                .description("one full pass of the scheduler over every organization with units (leader only; the"
                        + " safety net, see flotilla.scheduler.full-pass-every)")
                .publishPercentileHistogram()
                .register(registry);
        reactive = Counter.builder("flotilla.scheduler.reactive.reconciles")
                .description("organizations reconciled because something of theirs changed (leader only)")
                .register(registry);
        Gauge.builder("flotilla.scheduler.dirty", notifications.dirty(), DirtyOrgs::size)
                .description("organizations marked for the leader to reconcile, due or waiting for their share")
                .register(registry);
        running = true;
        reactor = new Thread(this::react, "scheduler-react");
        reactor.setDaemon(true);
        reactor.start();
    }

    /** Leadership, and the full pass when it is due. */
    @Scheduled(every = "${flotilla.scheduler.every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void lead() {
        boolean was = leader.isLeader();
        if (!leader.lead()) {
            if (was) {
                notifications.dirty().clear(); // the next leader passes over everything
            }
            return;
        }
        boolean resumed = notifications.dirty().takeFullPass();
        String why = !was
                ? "leader"
                : resumed
                        ? "resumed"
                        : System.nanoTime() - lastFullPass
                                        >= config.fullPassEvery().toNanos()
                                ? "interval"
                                : null;
        if (why != null) {
            fullPass(why);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (reactor != null) {
            reactor.interrupt();
        }
    }

    /** Marks arrived: reconcile them now rather than at the next look. */
    void wake() {
        Thread t = reactor;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * The organizations marked since the last time, as marks arrive and every {@code react-every}
     * (for those deferred or due later). A thread of its own: Quarkus's scheduler ticks by the second.
     */
    private void react() {
        while (running) {
            LockSupport.parkNanos(config.reactEvery().toNanos());
            if (Thread.interrupted() && !running) {
                return;
            }
            if (!leader.isLeader()) {
                continue;
            }
            try {
                for (UUID org : notifications.dirty().drain(System.nanoTime())) {
                    reconcile(org);
                    reactive.increment();
                }
            } catch (RuntimeException e) {
                LOG.warnf("reconciling marked organizations: %s", e.getMessage()); // the thread goes on
            }
        }
    }

    private void fullPass(String why) {
        long start = System.nanoTime();
        Timer.Sample sample = Timer.start(registry);
        @SuppressWarnings("unchecked")
        List<UUID> orgs =
                em.createNativeQuery("select distinct org_id from unit").getResultList();
        for (UUID org : orgs) {
            reconcile(org);
        }
        sample.stop(round);
        lastFullPass = start;
        Counter.builder("flotilla.scheduler.full.passes")
                .description("full passes of the scheduler over every organization with units, by why"
                        + " (interval, leader, resumed)")
                .tag("why", why)
                .register(registry)
                .increment();
        LOG.debugf(
                "full pass (%s) over %d organization(s) in %d ms",
                why, orgs.size(), (System.nanoTime() - start) / 1_000_000);
    }

    /** One organization; kept marked for later when it could not be placed now or must come back. */
    private void reconcile(UUID org) {
        DirtyOrgs dirty = notifications.dirty();
        LOG.tracef("reconciling organization %s", org);
        try {
            UnitScheduler.Outcome outcome = scheduler.reconcileInOwnTransaction(org);
            long now = System.nanoTime();
            if (!outcome.placed()) {
                dirty.defer(org, now + RETRY_NANOS);
            }
            if (outcome.rolling()) {
                dirty.dueAt(org, now + config.every().toNanos());
            }
        } catch (RuntimeException e) {
            LOG.warnf("scheduling organization %s failed: %s; again in %s", org, e.getMessage(), config.every());
            dirty.defer(org, System.nanoTime() + config.every().toNanos());
        }
    }
}
