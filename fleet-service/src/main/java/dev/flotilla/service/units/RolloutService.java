package dev.flotilla.service.units;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.flotilla.api.rest.RolloutPolicy;
import dev.flotilla.api.rest.RolloutView;
import dev.flotilla.api.unit.UnitFile;
import dev.flotilla.service.common.Durations;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.common.SqlValues;

/**
 * Rolling changes of global units. A changed file goes to the unit's machines in batches: a batch
 * is as many machines as the policy's {@code maxParallel}; the next starts when every machine of
 * this one has applied the new file and kept the unit active for {@code minHealthy}. A
 * machine that fails to apply it, reports the unit failed, or is not healthy within the batch
 * deadline counts as failed; past {@code maxFailures} the rollout stops and every machine already
 * changed gets the previous file back. The unit keeps its previous file until the rollout
 * succeeds. Advanced by the scheduler's leader ({@link #advance}): at once when a result or a resume
 * marks the organization, and every {@code flotilla.scheduler.every} while it runs.
 */
@ApplicationScoped
@Transactional
public class RolloutService {
    static final String DEFAULT_MAX_PARALLEL = "25%";
    static final int DEFAULT_MIN_HEALTHY = 10;
    static final int DEFAULT_DEADLINE = 300;

    @Inject
    EntityManager em;

    @Inject
    SchedulingMarks marks;

    /**
     * What a rollout in progress gives to the machines it reached, by unit: the new file as the
     * machines get it (without its [X-Fleet] section), worked out once per round.
     */
    /** Checks a policy and fills in its defaults; a 400 names what is wrong. */
    static RolloutPolicy validated(RolloutPolicy p) {
        RolloutPolicy policy = p == null ? new RolloutPolicy(null, null, null, null) : p;
        String max = policy.maxParallel() == null
                ? DEFAULT_MAX_PARALLEL
                : policy.maxParallel().trim();
        if (!max.matches("[0-9]{1,6}%?")) {
            throw ProblemException.badRequest("rollout.maxParallel must be a count (\"2\") or a percentage (\"25%\")");
        }
        int n = Integer.parseInt(max.replace("%", ""));
        if (n < 1 || (max.endsWith("%") && n > 100)) {
            throw ProblemException.badRequest("rollout.maxParallel must be at least 1, and a percentage at most 100%");
        }
        Duration healthy = policy.minHealthy() == null
                ? Duration.ofSeconds(DEFAULT_MIN_HEALTHY)
                : wholeSeconds(
                        "rollout.minHealthy",
                        Durations.parse("rollout.minHealthy", policy.minHealthy(), Duration.ZERO, Duration.ofHours(1)));
        Duration deadline = policy.batchDeadline() == null
                ? Duration.ofSeconds(DEFAULT_DEADLINE)
                : wholeSeconds(
                        "rollout.batchDeadline",
                        Durations.parse(
                                "rollout.batchDeadline",
                                policy.batchDeadline(),
                                Duration.ofSeconds(1),
                                Duration.ofDays(1)));
        int failures = policy.maxFailures() == null ? 0 : policy.maxFailures();
        if (failures < 0) {
            throw ProblemException.badRequest("rollout.maxFailures must not be negative");
        }
        return new RolloutPolicy(max, healthy.toString(), deadline.toString(), failures);
    }

    private static Duration wholeSeconds(String field, Duration d) {
        if (d.toNanosPart() != 0) {
            throw ProblemException.badRequest(field + " must be whole seconds, not " + d);
        }
        return d;
    }

    /** Starts a rollout of a global unit's new file (the unit row keeps the old one meanwhile). */
    void start(
            UUID orgId,
            String unit,
            String fromContent,
            String fromHash,
            String toContent,
            String toHash,
            RolloutPolicy policy,
            String actor) {
        if (inProgress(orgId, unit).isPresent()) {
            throw ProblemException.conflict("a rollout of " + unit + " is in progress: let it finish, or pause it and"
                    + " wait for it to be taken back, before changing the file again");
        }
        em.createNativeQuery("insert into rollout (org_id, unit_name, from_content, from_hash, to_content, to_hash,"
                        + " max_parallel, min_healthy_seconds, batch_deadline_seconds, max_failures, state,"
                        + " created_by) values (:o, :u, :fc, :fh, :tc, :th, :mp, :mh, :dl, :mf, 'running', :by)")
                .setParameter("o", orgId)
                .setParameter("u", unit)
                .setParameter("fc", fromContent)
                .setParameter("fh", fromHash)
                .setParameter("tc", toContent)
                .setParameter("th", toHash)
                .setParameter("mp", policy.maxParallel())
                .setParameter("mh", (int) Duration.parse(policy.minHealthy()).toSeconds())
                .setParameter("dl", (int) Duration.parse(policy.batchDeadline()).toSeconds())
                .setParameter("mf", policy.maxFailures())
                .setParameter("by", actor)
                .executeUpdate();
        marks.mark(orgId); // the leader advances it from now on
    }

    /** The rollouts in progress of an organization that reached machines, for the scheduler. */
    Map<String, Placements.Rollout> active(UUID orgId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select r.unit_name, r.to_content, m.machine_id from rollout r"
                        + " left join rollout_machine m on m.rollout_id = r.id and m.state in ('updating', 'healthy',"
                        + " 'failed') where r.org_id = :o and r.state in ('running', 'paused')")
                .setParameter("o", orgId)
                .getResultList();
        Map<String, Placements.Rollout> out = new HashMap<>();
        for (Object[] r : rows) {
            Placements.Rollout a = out.computeIfAbsent(
                    (String) r[0],
                    k -> new Placements.Rollout(UnitFile.parse((String) r[1]).systemdContent(), new HashSet<>()));
            if (r[2] != null) {
                a.machines().add((String) r[2]);
            }
        }
        return out;
    }

    /** Whether the organization has a running rollout: it waits on results, unit states and time. */
    boolean running(UUID orgId) {
        return !em.createNativeQuery("select 1 from rollout where org_id = :o and state = 'running' limit 1")
                .setParameter("o", orgId)
                .getResultList()
                .isEmpty();
    }

    /**
     * One round of every running rollout of the organization: machines of the batch in progress
     * judged, the rollout taken back past its failures, the next batch started, or the rollout
     * finished (the unit takes the new file). The caller reconciles placements afterwards.
     */
    void advance(UUID orgId) {
        @SuppressWarnings("unchecked")
        List<Object[]> running = em.createNativeQuery("select id, unit_name, max_parallel, min_healthy_seconds,"
                        + " batch_deadline_seconds, max_failures, to_content, to_hash from rollout"
                        + " where org_id = :o and state = 'running'")
                .setParameter("o", orgId)
                .getResultList();
        for (Object[] r : running) {
            advance(
                    orgId,
                    (UUID) r[0],
                    (String) r[1],
                    (String) r[2],
                    ((Number) r[3]).intValue(),
                    ((Number) r[4]).intValue(),
                    ((Number) r[5]).intValue(),
                    (String) r[6],
                    (String) r[7]);
        }
    }

    private void advance(
            UUID orgId,
            UUID id,
            String unit,
            String maxParallel,
            int minHealthy,
            int deadline,
            int maxFailures,
            String toContent,
            String toHash) {
        // Judge the machines of the batch in progress: applied (the agent's result for the unit came
        // after the machine joined the batch, and was ok) and active, for long enough.
        em.createNativeQuery("update rollout_machine m set"
                        + " state = case"
                        + "   when res.ok = false and res.at >= m.started_at then 'failed'"
                        + "   when s.active_state = 'failed' and s.observed_at >= m.started_at then 'failed'"
                        + "   when res.ok and res.at >= m.started_at and s.active_state = 'active'"
                        + "     and coalesce(m.healthy_since, now()) <= now() - make_interval(secs => :mh) then 'healthy'"
                        + "   when now() - m.started_at > make_interval(secs => :dl) then 'failed'"
                        + "   else 'updating' end,"
                        + " reason = case"
                        + "   when res.ok = false and res.at >= m.started_at then left(res.error, 500)"
                        + "   when s.active_state = 'failed' and s.observed_at >= m.started_at then 'the unit failed'"
                        + "   when now() - m.started_at > make_interval(secs => :dl)"
                        + "     and not (res.ok and res.at >= m.started_at and s.active_state = 'active')"
                        + "     then 'not healthy within the batch deadline'"
                        + "   else null end,"
                        + " healthy_since = case when res.ok and res.at >= m.started_at and s.active_state = 'active'"
                        + "   then coalesce(m.healthy_since, now()) else null end"
                        + " from rollout_machine m2"
                        + " left join desired_unit_result res on res.org_id = :o and res.machine_id = m2.machine_id"
                        + "   and res.name = :u"
                        + " left join machine_unit s on s.org_id = :o and s.machine_id = m2.machine_id and s.name = :u"
                        + " where m.rollout_id = :id and m.state = 'updating'"
                        + "   and m2.rollout_id = m.rollout_id and m2.machine_id = m.machine_id")
                .setParameter("o", orgId)
                .setParameter("u", unit)
                .setParameter("id", id)
                .setParameter("mh", (double) minHealthy)
                .setParameter("dl", (double) deadline)
                .executeUpdate();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "select machine_id, state, batch from rollout_machine where rollout_id = :id")
                .setParameter("id", id)
                .getResultList();
        int failed = 0;
        int updating = 0;
        int batch = 0;
        Set<String> reached = new HashSet<>();
        for (Object[] row : rows) {
            reached.add((String) row[0]);
            failed += "failed".equals(row[1]) ? 1 : 0;
            updating += "updating".equals(row[1]) ? 1 : 0;
            batch = Math.max(batch, ((Number) row[2]).intValue());
        }
        if (failed > maxFailures) {
            em.createNativeQuery("update rollout_machine set state = 'reverted' where rollout_id = :id"
                            + " and state <> 'reverted'")
                    .setParameter("id", id)
                    .executeUpdate();
            finish(
                    id,
                    "reverted",
                    failed + " machine(s) failed (" + maxFailures + " allowed): the previous file"
                            + " was given back to the machines already changed");
            return;
        }
        if (updating > 0) {
            return; // the batch in progress is not done yet
        }
        // The unit's machines now: those the scheduler placed it on.
        @SuppressWarnings("unchecked")
        List<String> placed = em.createNativeQuery(
                        "select machine_id from desired_unit where org_id = :o and unit_name = :u order by machine_id")
                .setParameter("o", orgId)
                .setParameter("u", unit)
                .getResultList();
        List<String> pending = new ArrayList<>(new TreeSet<>(placed));
        pending.removeAll(reached);
        if (pending.isEmpty()) {
            em.createNativeQuery("update unit set content = :c, hash = :h, updated_at = now() where org_id = :o"
                            + " and name = :u")
                    .setParameter("c", toContent)
                    .setParameter("h", toHash)
                    .setParameter("o", orgId)
                    .setParameter("u", unit)
                    .executeUpdate();
            finish(id, "succeeded", "every machine runs the new file");
            return;
        }
        int size = batchSize(maxParallel, placed.size());
        for (String machine : pending.subList(0, Math.min(size, pending.size()))) {
            em.createNativeQuery("insert into rollout_machine (rollout_id, machine_id, batch, state)"
                            + " values (:id, :m, :b, 'updating')")
                    .setParameter("id", id)
                    .setParameter("m", machine)
                    .setParameter("b", batch + 1)
                    .executeUpdate();
        }
        touch(id);
    }

    static int batchSize(String maxParallel, int machines) {
        if (maxParallel.endsWith("%")) {
            int pct = Integer.parseInt(maxParallel.substring(0, maxParallel.length() - 1));
            return Math.max(1, (int) Math.ceil(machines * pct / 100.0));
        }
        return Math.max(1, Integer.parseInt(maxParallel));
    }

    private void finish(UUID id, String state, String message) {
        em.createNativeQuery("update rollout set state = :s, message = :m, updated_at = now() where id = :id")
                .setParameter("s", state)
                .setParameter("m", message)
                .setParameter("id", id)
                .executeUpdate();
    }

    private void touch(UUID id) {
        em.createNativeQuery("update rollout set updated_at = now() where id = :id")
                .setParameter("id", id)
                .executeUpdate();
    }

    /** Pauses (running → paused) or resumes (paused → running) the unit's rollout in progress. */
    public RolloutView setPaused(UUID orgId, String unit, boolean pause) {
        int n = em.createNativeQuery("update rollout set state = :to, updated_at = now() where org_id = :o"
                        + " and unit_name = :u and state = :from")
                .setParameter("to", pause ? "paused" : "running")
                .setParameter("from", pause ? "running" : "paused")
                .setParameter("o", orgId)
                .setParameter("u", unit)
                .executeUpdate();
        if (n == 0) {
            RolloutView latest = latest(orgId, unit)
                    .orElseThrow(() -> ProblemException.notFound("unit " + unit + " has no rollout"));
            throw ProblemException.conflict("the rollout of " + unit + " is " + latest.state() + "; only a "
                    + (pause ? "running" : "paused") + " rollout can be " + (pause ? "paused" : "resumed"));
        }
        marks.mark(orgId); // a resumed rollout goes on at once
        return latest(orgId, unit).orElseThrow();
    }

    Optional<UUID> inProgress(UUID orgId, String unit) {
        @SuppressWarnings("unchecked")
        List<UUID> ids = em.createNativeQuery("select id from rollout where org_id = :o and unit_name = :u"
                        + " and state in ('running', 'paused')")
                .setParameter("o", orgId)
                .setParameter("u", unit)
                .getResultList();
        return ids.stream().findFirst();
    }

    /** The unit's latest rollout, with every machine it reached. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<RolloutView> latest(UUID orgId, String unit) {
        @SuppressWarnings("unchecked")
        List<Object[]> found = em.createNativeQuery(
                        "select id, state, from_hash, to_hash, max_parallel,"
                                + " min_healthy_seconds, batch_deadline_seconds, max_failures, message, created_by, created_at,"
                                + " updated_at from rollout where org_id = :o and unit_name = :u order by created_at desc limit 1")
                .setParameter("o", orgId)
                .setParameter("u", unit)
                .getResultList();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Object[] r = found.get(0);
        UUID id = (UUID) r[0];
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select machine_id, batch, state, started_at, reason"
                        + " from rollout_machine where rollout_id = :id order by batch, machine_id")
                .setParameter("id", id)
                .getResultList();
        List<RolloutView.Machine> machines = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        int batch = 0;
        for (Object[] m : rows) {
            machines.add(new RolloutView.Machine(
                    (String) m[0], ((Number) m[1]).intValue(), (String) m[2], SqlValues.instant(m[3]), (String) m[4]));
            counts.merge((String) m[2], 1, Integer::sum);
            batch = Math.max(batch, ((Number) m[1]).intValue());
        }
        Number placed =
                (Number) em.createNativeQuery("select count(*) from desired_unit where org_id = :o and unit_name = :u")
                        .setParameter("o", orgId)
                        .setParameter("u", unit)
                        .getSingleResult();
        String state = (String) r[1];
        int pending = state.equals("running") || state.equals("paused")
                ? Math.max(0, placed.intValue() - machines.size())
                : 0;
        return Optional.of(new RolloutView(
                id.toString(),
                unit,
                state,
                (String) r[2],
                (String) r[3],
                (String) r[4],
                Duration.ofSeconds(((Number) r[5]).intValue()).toString(),
                Duration.ofSeconds(((Number) r[6]).intValue()).toString(),
                ((Number) r[7]).intValue(),
                batch,
                counts.getOrDefault("updating", 0),
                counts.getOrDefault("healthy", 0),
                counts.getOrDefault("failed", 0),
                counts.getOrDefault("reverted", 0),
                pending,
                (String) r[8],
                machines,
                (String) r[9],
                SqlValues.instant(r[10]),
                SqlValues.instant(r[11])));
    }
}
