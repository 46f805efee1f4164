package dev.flotilla.service.updates;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.flotilla.api.rest.NewUpdatePolicy;
import dev.flotilla.api.rest.Page;
import dev.flotilla.api.rest.UpdatePolicyView;
import dev.flotilla.api.rest.UpdateWindow;
import dev.flotilla.api.selector.LabelSelector;
import dev.flotilla.api.selector.SelectorSyntaxException;
import dev.flotilla.service.common.Cursor;
import dev.flotilla.service.common.Durations;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.common.SqlValues;
import dev.flotilla.service.common.TimeService;
import dev.flotilla.service.machine.MachineService;

/** Update policies: stored, checked, and found for a machine or a FleetLock group. */
@ApplicationScoped
@Transactional
public class UpdatePolicyService {
    static final int NEXT_WINDOWS = 5;
    private static final TypeReference<List<UpdateWindow>> WINDOWS = new TypeReference<>() {};
    private static final String COLUMNS = "id, name, selector, priority, windows::text, max_parallel, max_per_period,"
            + " period_seconds, timeout_seconds, safe_mode, safe_failures, proven, failures, paused, paused_reason,"
            + " created_at, updated_at";

    @Inject
    EntityManager em;

    @Inject
    ObjectMapper json;

    @Inject
    TimeService time;

    @Inject
    dev.flotilla.service.audit.AuditLog audit;

    /** Creates a policy; 409 when one of that name exists. */
    public UpdatePolicyView create(UUID org, NewUpdatePolicy body, String actor) {
        Policy p = validated(body, null);
        if (find(org, p.name()).isPresent()) {
            throw nameTaken(p.name());
        }
        Query q = em.createNativeQuery("insert into update_policy (org_id, name, selector, priority, windows,"
                + " max_parallel, max_per_period, period_seconds, timeout_seconds, safe_mode, safe_failures, paused,"
                + " paused_reason, created_by) values (:o, :name, :sel, :prio, cast(:w as jsonb), :mp, :mpp, :ps, :ts,"
                + " :safe, :sf, :paused, :pr, :by) on conflict (org_id, name) do nothing");
        if (bind(q, org, p).setParameter("by", actor).executeUpdate() == 0) {
            throw nameTaken(p.name());
        }
        audit.record(org, actor, "update-policy.create", p.name(), describe(p));
        return view(org, get(org, p.name()));
    }

    /** 409: a policy of that name exists (what create and the dashboard's preview say). */
    static ProblemException nameTaken(String name) {
        return ProblemException.conflict("an update policy named " + name + " exists already");
    }

    /** Replaces a policy's settings. Resuming a paused policy starts safe mode over. */
    public UpdatePolicyView replace(UUID org, String name, NewUpdatePolicy body, String actor) {
        Policy old = get(org, name);
        if (body != null && body.name() != null && !body.name().equals(name)) {
            throw ProblemException.badRequest("name cannot change (" + name + " → " + body.name() + ")");
        }
        Policy p = validated(body, name);
        Query q = em.createNativeQuery("update update_policy set selector = :sel, priority = :prio,"
                + " windows = cast(:w as jsonb), max_parallel = :mp, max_per_period = :mpp, period_seconds = :ps,"
                + " timeout_seconds = :ts, safe_mode = :safe, safe_failures = :sf, paused = :paused,"
                + " paused_reason = case when :paused then coalesce(paused_reason, :pr) else null end,"
                + " proven = case when (paused and not :paused) or (:safe and not safe_mode) then false else proven end,"
                + " failures = case when (paused and not :paused) or (:safe and not safe_mode) then 0 else failures end,"
                + " updated_at = now() where org_id = :o and name = :name");
        bind(q, org, p).executeUpdate();
        audit.record(org, actor, "update-policy.replace", name, describe(old) + " → " + describe(p));
        return view(org, get(org, name));
    }

    public void delete(UUID org, String name, String actor) {
        Policy p = get(org, name);
        LeaseService.lock(em, org, p.id()); // no lease granted between the count and the delete
        long live = ((Number) em.createNativeQuery(
                                "select count(*) from update_lease where org_id = :o and policy_id = cast(:p as uuid)"
                                        + " and ended_at is null and expires_at > :now")
                        .setParameter("o", org)
                        .setParameter("p", Policy.key(p))
                        .setParameter("now", Timestamp.from(time.now()))
                        .getSingleResult())
                .longValue();
        if (live > 0) {
            throw ProblemException.conflict(
                    "update policy " + name + " has " + live + " live lease(s): release them or wait for them to end");
        }
        em.createNativeQuery("delete from update_policy where org_id = :o and id = cast(:p as uuid)")
                .setParameter("o", org)
                .setParameter("p", Policy.key(p))
                .executeUpdate();
        audit.record(org, actor, "update-policy.delete", name, describe(p));
    }

    /**
     * Pauses or resumes a policy; resuming starts safe mode over. {@code reason} (optional, at
     * most 200 characters) is kept with the pause.
     */
    public UpdatePolicyView setPaused(UUID org, String name, boolean paused, String reason, String actor) {
        get(org, name);
        String why = "paused by " + actor;
        if (reason != null && !reason.isBlank()) {
            if (reason.length() > 200) {
                throw ProblemException.badRequest("reason must be at most 200 characters");
            }
            why = why + ": " + reason.strip();
        }
        em.createNativeQuery("update update_policy set paused = :paused, updated_at = now(),"
                        + " paused_reason = case when :paused then :why else null end,"
                        + " proven = case when paused and not :paused then false else proven end,"
                        + " failures = case when paused and not :paused then 0 else failures end"
                        + " where org_id = :o and name = :n")
                .setParameter("paused", paused)
                .setParameter("why", why)
                .setParameter("o", org)
                .setParameter("n", name)
                .executeUpdate();
        audit.record(org, actor, paused ? "update-policy.pause" : "update-policy.resume", name, paused ? why : null);
        return view(org, get(org, name));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public UpdatePolicyView view(UUID org, String name) {
        return view(org, getNamed(org, name));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<UpdatePolicyView> list(UUID org, String cursor, int limit) {
        String after = cursor == null ? "" : Cursor.decode(cursor, 1).get(0);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select " + COLUMNS + " from update_policy where org_id = :o"
                        + " and name > :after order by name limit :l")
                .setParameter("o", org)
                .setParameter("after", after)
                .setParameter("l", limit + 1)
                .getResultList();
        List<UpdatePolicyView> items = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, rows.size()); i++) {
            items.add(view(org, policy(rows.get(i))));
        }
        String next =
                rows.size() > limit ? Cursor.encode(items.get(items.size() - 1).name()) : null;
        return new Page<>(items, next);
    }

    /**
     * When a policy's windows are open between {@code from} and {@code to} (merged, clipped to the
     * range): what the dashboard's calendar draws. {@code default} is open throughout.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<UpdatePolicyView.OpenPeriod> openPeriods(UUID org, String name, Instant from, Instant to) {
        Policy p = getNamed(org, name);
        if (p.schedule().isAlwaysOpen()) {
            return List.of(new UpdatePolicyView.OpenPeriod(from, to));
        }
        List<UpdatePolicyView.OpenPeriod> out = new ArrayList<>();
        Instant t = from;
        // In batches until past the range: frequent cron windows merge into few long periods.
        for (int round = 0; round < 50 && t.isBefore(to); round++) {
            List<UpdatePolicyView.OpenPeriod> batch = p.schedule().next(t, 200);
            if (batch.isEmpty()) {
                break;
            }
            for (UpdatePolicyView.OpenPeriod o : batch) {
                if (!o.from().isBefore(to)) {
                    return out;
                }
                if (!out.isEmpty() && !o.from().isAfter(out.get(out.size() - 1).to())) {
                    continue; // the current period again, asked from inside it
                }
                out.add(new UpdatePolicyView.OpenPeriod(
                        o.from().isBefore(from) ? from : o.from(), o.to().isAfter(to) ? to : o.to()));
            }
            Instant last = batch.get(batch.size() - 1).to();
            if (!last.isAfter(t)) {
                break;
            }
            t = last;
        }
        return out;
    }

    /** The default policy, as the API shows it. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public UpdatePolicyView defaultView(UUID org) {
        return view(org, Policy.DEFAULT);
    }

    /** Every policy of the organization, in the order they are tried on a machine. */
    @Transactional(Transactional.TxType.SUPPORTS)
    List<Policy> all(UUID org) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "select " + COLUMNS + " from update_policy where org_id = :o order by priority, name")
                .setParameter("o", org)
                .getResultList();
        return rows.stream().map(this::policy).toList();
    }

    /** The policy of a machine with these labels: the first that matches, else the default. */
    static Policy forLabels(List<Policy> policies, Map<String, String> labels) {
        for (Policy p : policies) {
            if (p.selector().matches(labels)) {
                return p;
            }
        }
        return Policy.DEFAULT;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    Optional<Policy> find(UUID org, String name) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "select " + COLUMNS + " from update_policy where org_id = :o and name = :n")
                .setParameter("o", org)
                .setParameter("n", name)
                .getResultList();
        return rows.stream().findFirst().map(this::policy);
    }

    /** A policy by name as machines and FleetLock groups see them: {@code default} included. */
    @Transactional(Transactional.TxType.SUPPORTS)
    Optional<Policy> named(UUID org, String name) {
        return name.equals(Policy.DEFAULT_NAME) ? Optional.of(Policy.DEFAULT) : find(org, name);
    }

    /** {@link #named}, or 404. */
    @Transactional(Transactional.TxType.SUPPORTS)
    Policy getNamed(UUID org, String name) {
        return named(org, name).orElseThrow(() -> ProblemException.notFound("update policy " + name));
    }

    /** A stored policy (one that can be changed), or 404: {@code default} is not one. */
    @Transactional(Transactional.TxType.SUPPORTS)
    Policy get(UUID org, String name) {
        return find(org, name).orElseThrow(() -> ProblemException.notFound("update policy " + name));
    }

    /** Machines a policy's selector matches (what a percentage of maxParallel is taken of). */
    @Transactional(Transactional.TxType.SUPPORTS)
    int machines(UUID org, Policy p) {
        StringBuilder sql = new StringBuilder("select count(*) from machine where org_id = :o");
        Map<String, Object> params = new HashMap<>();
        MachineService.SelectorSql.append(p.selector(), sql, params);
        Query q = em.createNativeQuery(sql.toString()).setParameter("o", org);
        params.forEach(q::setParameter);
        return ((Number) q.getSingleResult()).intValue();
    }

    UpdatePolicyView view(UUID org, Policy p) {
        Instant now = time.now();
        int updating = ((Number) em.createNativeQuery(
                                "select count(*) from update_lease where org_id = :o"
                                        + " and coalesce(policy_id, '00000000-0000-0000-0000-000000000000') = cast(:p as uuid) and ended_at is null and expires_at > :now")
                        .setParameter("o", org)
                        .setParameter("p", Policy.key(p))
                        .setParameter("now", Timestamp.from(now))
                        .getSingleResult())
                .intValue();
        return new UpdatePolicyView(
                p.id() == null ? null : p.id().toString(),
                p.name(),
                p.selectorText(),
                p.priority(),
                p.windows(),
                p.maxParallel(),
                p.maxPerPeriod(),
                p.period() == null ? null : p.period().toString(),
                p.timeout().toString(),
                p.safeMode(),
                p.safeFailures(),
                p.paused(),
                p.pausedReason(),
                p.proven(),
                p.failures(),
                p.schedule().isOpen(now),
                p.schedule().next(now, NEXT_WINDOWS),
                machines(org, p),
                updating,
                p.createdAt(),
                p.updatedAt());
    }

    /** Checks a policy as given; 400 with the reason. {@code name} overrides the body's. */
    static Policy validated(NewUpdatePolicy body, String name) {
        if (body == null) {
            throw ProblemException.badRequest("a body is required: {\"name\": ..., \"windows\": [...], ...}");
        }
        String n = name != null ? name : body.name();
        if (n == null || !n.matches("[a-zA-Z0-9.-]{1,63}")) {
            throw ProblemException.badRequest(
                    "name must be 1 to 63 letters, digits, dots or dashes (it is also the FleetLock group), not "
                            + (n == null ? "missing" : "\"" + n + "\""));
        }
        if (n.equals(Policy.DEFAULT_NAME)) {
            throw ProblemException.badRequest(
                    "\"default\" is the policy of machines no policy matches (always open, one at a time); name yours otherwise");
        }
        String selectorText = body.selector() == null ? "" : body.selector().trim();
        LabelSelector selector;
        try {
            selector = LabelSelector.parse(selectorText);
        } catch (SelectorSyntaxException e) {
            throw ProblemException.badRequest("invalid label selector: " + e.getMessage());
        }
        Schedule schedule;
        try {
            schedule = Schedule.of(body.windows());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(e.getMessage());
        }
        String max = body.maxParallel() == null ? "1" : body.maxParallel().trim();
        if (!max.matches("[0-9]{1,6}%?")) {
            throw ProblemException.badRequest(
                    "maxParallel must be a count (\"2\") or a percentage (\"10%\"), not \"" + max + "\"");
        }
        int m = Integer.parseInt(max.replace("%", ""));
        if (m < 1 || (max.endsWith("%") && m > 100)) {
            throw ProblemException.badRequest(
                    "maxParallel must be at least 1, and a percentage at most 100%, not " + max);
        }
        Duration period = body.period() == null
                ? null
                : Durations.parse("period", body.period(), Duration.ofMinutes(1), Duration.ofDays(31));
        if ((body.maxPerPeriod() == null) != (period == null)) {
            throw ProblemException.badRequest("maxPerPeriod and period go together (e.g. 10 per PT1H)");
        }
        if (body.maxPerPeriod() != null && body.maxPerPeriod() < 1) {
            throw ProblemException.badRequest("maxPerPeriod must be at least 1");
        }
        Duration timeout = body.updateTimeout() == null
                ? Policy.DEFAULT_TIMEOUT
                : Durations.parse("updateTimeout", body.updateTimeout(), Duration.ofMinutes(1), Duration.ofDays(7));
        int safeFailures = body.safeModeFailures() == null ? 1 : body.safeModeFailures();
        if (safeFailures < 1) {
            throw ProblemException.badRequest("safeModeFailures must be at least 1");
        }
        int priority = body.priority() == null ? 100 : body.priority();
        boolean paused = Boolean.TRUE.equals(body.paused());
        return new Policy(
                null,
                n,
                selectorText,
                selector,
                priority,
                body.windows() == null ? List.of() : List.copyOf(body.windows()),
                schedule,
                max,
                body.maxPerPeriod(),
                period,
                timeout,
                Boolean.TRUE.equals(body.safeMode()),
                safeFailures,
                false,
                0,
                paused,
                paused ? "paused when saved" : null,
                null,
                null);
    }

    private Query bind(Query q, UUID org, Policy p) {
        String windows;
        try {
            windows = json.writeValueAsString(p.windows());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return q.setParameter("o", org)
                .setParameter("name", p.name())
                .setParameter("sel", p.selectorText())
                .setParameter("prio", p.priority())
                .setParameter("w", windows)
                .setParameter("mp", p.maxParallel())
                .setParameter("mpp", p.maxPerPeriod())
                .setParameter("ps", p.period() == null ? null : (int) p.period().toSeconds())
                .setParameter("ts", (int) p.timeout().toSeconds())
                .setParameter("safe", p.safeMode())
                .setParameter("sf", p.safeFailures())
                .setParameter("paused", p.paused())
                .setParameter("pr", p.pausedReason());
    }

    private Policy policy(Object[] r) {
        List<UpdateWindow> windows;
        try {
            windows = json.readValue((String) r[4], WINDOWS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored windows do not parse", e);
        }
        String selectorText = (String) r[2];
        Integer periodSeconds = r[7] == null ? null : ((Number) r[7]).intValue();
        return new Policy(
                (UUID) r[0],
                (String) r[1],
                selectorText,
                LabelSelector.parse(selectorText),
                ((Number) r[3]).intValue(),
                windows,
                Schedule.stored(windows),
                (String) r[5],
                r[6] == null ? null : ((Number) r[6]).intValue(),
                periodSeconds == null ? null : Duration.ofSeconds(periodSeconds),
                Duration.ofSeconds(((Number) r[8]).intValue()),
                (Boolean) r[9],
                ((Number) r[10]).intValue(),
                (Boolean) r[11],
                ((Number) r[12]).intValue(),
                (Boolean) r[13],
                (String) r[14],
                SqlValues.instant(r[15]),
                SqlValues.instant(r[16]));
    }

    private static String describe(Policy p) {
        return "selector=" + p.selectorText() + " windows=" + p.windows().size() + " maxParallel=" + p.maxParallel()
                + (p.maxPerPeriod() == null ? "" : " maxPerPeriod=" + p.maxPerPeriod() + "/" + p.period())
                + " timeout=" + p.timeout() + " safeMode=" + p.safeMode() + " paused=" + p.paused();
    }
}
