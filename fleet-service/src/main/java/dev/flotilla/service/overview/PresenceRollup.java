package dev.flotilla.service.overview;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.flotilla.service.common.AdvisoryLocks;
import dev.flotilla.service.common.TimeService;
import io.quarkus.scheduler.Scheduled;

/**
 * Writes every organization's machines by presence into the current 5-minute bucket of
 * {@code presence_rollup}, and deletes buckets past the retention. Runs outside requests, as the
 * tables' owner (like the presence sweep), so one statement covers every organization; each row
 * still carries its {@code org_id} and tenants read it through row-level security.
 */
@ApplicationScoped
public class PresenceRollup {
    /** The width of a bucket: the 24-hour chart's resolution. */
    public static final Duration BUCKET = Duration.ofMinutes(5);

    @Inject
    EntityManager em;

    @Inject
    OverviewConfig config;

    @Inject
    TimeService time;

    @Scheduled(
            every = "${flotilla.overview.rollup-every}",
            delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        roll(time.now());
    }

    /**
     * Writes the bucket holding {@code now} (a later run in the same 5 minutes overwrites it with
     * newer counts) and deletes what is older than the retention. One replica at a time; the
     * others skip this round, as they do the presence sweep. Whether this replica did the round.
     */
    @Transactional
    public boolean roll(Instant now) {
        Object locked = em.createNativeQuery("select pg_try_advisory_xact_lock(" + AdvisoryLocks.PRESENCE_ROLLUP + ")")
                .getSingleResult();
        if (!Boolean.TRUE.equals(locked)) {
            return false;
        }
        OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
        em.createNativeQuery("insert into presence_rollup (org_id, bucket, online, offline, lost)"
                        + " select org_id, date_bin(cast('5 minutes' as interval), cast(:now as timestamptz),"
                        + "   timestamptz '2000-01-01 00:00:00+00'),"
                        + "   count(*) filter (where presence = 'online'),"
                        + "   count(*) filter (where presence = 'offline'),"
                        + "   count(*) filter (where presence = 'lost')"
                        + " from machine group by org_id"
                        + " on conflict (org_id, bucket) do update set online = excluded.online,"
                        + "   offline = excluded.offline, lost = excluded.lost")
                .setParameter("now", at)
                .executeUpdate();
        em.createNativeQuery("delete from presence_rollup where bucket < :oldest")
                .setParameter("oldest", at.minus(config.retention()))
                .executeUpdate();
        return true;
    }
}
