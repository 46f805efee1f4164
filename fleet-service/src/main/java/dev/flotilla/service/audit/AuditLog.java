package dev.flotilla.service.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.flotilla.api.rest.AuditEventView;
import dev.flotilla.api.rest.Page;
import dev.flotilla.service.common.Cursor;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.common.SqlValues;
import dev.flotilla.service.common.Throttle;
import io.quarkus.arc.Arc;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;

/**
 * The audit log ({@code audit_event}, append-only: a trigger refuses updates and deletes). Changes
 * are written in the transaction that makes them, so a change and its entry commit together;
 * refusals (failed sign-ins, refused credentials) in their own.
 */
@ApplicationScoped
public class AuditLog {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(AuditLog.class);
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    @Inject
    EntityManager em;

    /** Records a change made by {@code actor}, with what the target was before and is after (either may be null). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void change(
            UUID org, String actor, String action, String targetType, String targetId, Object before, Object after) {
        insert(org, actor, action, "ok", targetType, targetId, null, before, after, sourceIp());
    }

    /** Records a change with a one-line summary instead of before/after. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void change(UUID org, String actor, String action, String targetType, String targetId, String summary) {
        insert(org, actor, action, "ok", targetType, targetId, summary, null, null, sourceIp());
    }

    /** Records a change whose target's kind is the action's first word ({@code update-policy.create} → {@code update-policy}). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(UUID org, String actor, String action, String target, String summary) {
        int dot = action.indexOf('.');
        change(org, actor, action, dot > 0 ? action.substring(0, dot) : action, target, summary);
    }

    @Inject
    Throttle throttle;

    @Inject
    AuditConfig config;

    /**
     * Records a refused credential or sign-in ({@code org} null when whose it was is unknown), at
     * most {@code flotilla.audit.max-refusals-per-minute} a minute per address and {@code
     * max-refusals-per-org-per-minute} per organization: beyond that they are
     * dropped (a debug line in the service log says so; a warning would be the flood again), so that
     * a flood of bad credentials cannot grow the append-only log without bound.
     */
    public void refusal(
            UUID org,
            String actor,
            String action,
            String targetType,
            String targetId,
            String summary,
            String sourceIp) {
        String ip = sourceIp == null ? sourceIp() : sourceIp;
        // Without an address (no request), refusals are counted per what was refused, so that one
        // flood does not silence the others.
        String key = "refusal:" + (ip != null ? ip : "no-address:" + action + ":" + targetId);
        java.time.Duration minute = java.time.Duration.ofMinutes(1);
        if (!throttle.allow(key, config.maxRefusalsPerMinute(), minute)) {
            LOG.debugf(
                    "more than %d refusals a minute from %s: %s not recorded",
                    config.maxRefusalsPerMinute(), key, action);
            return;
        }
        // And per organization: refusals from many addresses (failed sign-ins of one of its members)
        // must not flood one organization's log either.
        if (org != null && !throttle.allow("refusal-org:" + org, config.maxRefusalsPerOrgPerMinute(), minute)) {
            LOG.debugf(
                    "more than %d refusals a minute in organization %s: %s not recorded",
                    config.maxRefusalsPerOrgPerMinute(), org, action);
            return;
        }
        event(org, actor, action, false, targetType, targetId, summary, sourceIp);
    }

    /** Records what happened on its own, outside any transaction of the caller (a sign-in, a refusal). */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void event(
            UUID org,
            String actor,
            String action,
            boolean ok,
            String targetType,
            String targetId,
            String summary,
            String sourceIp) {
        insert(
                org,
                actor,
                action,
                ok ? "ok" : "refused",
                targetType,
                targetId,
                summary,
                null,
                null,
                sourceIp != null ? sourceIp : sourceIp());
    }

    private void insert(
            UUID org,
            String actor,
            String action,
            String outcome,
            String targetType,
            String targetId,
            String summary,
            Object before,
            Object after,
            String sourceIp) {
        em.createNativeQuery("""
                        insert into audit_event
                            (org_id, actor, actor_kind, action, outcome, target_type, target_id, source_ip, summary, before, after)
                        values (:o, :a, :k, :ac, :out, :tt, :ti, :ip, :s, cast(:b as jsonb), cast(:af as jsonb))""")
                .setParameter("o", org)
                .setParameter("a", clip(actor, 300))
                .setParameter("k", kindOf(actor))
                .setParameter("ac", action)
                .setParameter("out", outcome)
                .setParameter("tt", targetType)
                .setParameter("ti", clip(targetId, 300))
                .setParameter("ip", sourceIp)
                .setParameter("s", clip(summary, 2000))
                .setParameter("b", json(before))
                .setParameter("af", json(after))
                .executeUpdate();
        AuditTrail.noteRecorded();
    }

    static String kindOf(String actor) {
        if (actor == null || actor.equals("anonymous")) {
            return "anonymous";
        }
        if (actor.startsWith("account:") || actor.startsWith("oidc:")) {
            return "person";
        }
        if (actor.startsWith("token:") || actor.startsWith("client:")) {
            return "token";
        }
        if (actor.startsWith("agent:")) {
            return "agent";
        }
        return "system";
    }

    /** A page of the organization's audit log, newest first. */
    @Transactional
    @SuppressWarnings("unchecked")
    public Page<AuditEventView> list(UUID org, Filter filter, String cursor, int limit) {
        StringBuilder sql = new StringBuilder("""
                select id, at, actor, actor_kind, action, outcome, target_type, target_id, source_ip, summary,
                       cast(before as text), cast(after as text)
                from audit_event where org_id = :o""");
        List<Object[]> params = new ArrayList<>();
        if (cursor != null && !cursor.isBlank()) {
            sql.append(" and id < :before");
            params.add(new Object[] {"before", Cursor.beforeSeq(cursor)});
        }
        if (filter.actor() != null) {
            sql.append(" and actor = :actor");
            params.add(new Object[] {"actor", filter.actor()});
        }
        if (filter.action() != null) {
            // "member" matches member.role and member.remove; "member.role" only itself
            sql.append(" and (action = :action or action like :actionPrefix)");
            params.add(new Object[] {"action", filter.action()});
            params.add(new Object[] {
                "actionPrefix", filter.action().replace("%", "").replace("_", "\\_") + ".%"
            });
        }
        if (filter.targetType() != null) {
            sql.append(" and target_type = :tt");
            params.add(new Object[] {"tt", filter.targetType()});
        }
        if (filter.targetId() != null) {
            sql.append(" and target_id = :ti");
            params.add(new Object[] {"ti", filter.targetId()});
        }
        if (filter.outcome() != null) {
            if (!filter.outcome().equals("ok") && !filter.outcome().equals("refused")) {
                throw ProblemException.badRequest("outcome must be ok or refused");
            }
            sql.append(" and outcome = :outcome");
            params.add(new Object[] {"outcome", filter.outcome()});
        }
        if (filter.since() != null) {
            sql.append(" and at >= :since");
            params.add(new Object[] {"since", filter.since()});
        }
        sql.append(" order by id desc limit :limit");
        var query = em.createNativeQuery(sql.toString()).setParameter("o", org).setParameter("limit", limit + 1);
        params.forEach(p -> query.setParameter((String) p[0], p[1]));
        List<Object[]> rows = query.getResultList();
        List<AuditEventView> items =
                rows.stream().limit(limit).map(AuditLog::view).toList();
        String next = rows.size() > limit
                ? Cursor.encode(Long.toString(items.get(items.size() - 1).id()))
                : null;
        return new Page<>(items, next);
    }

    public record Filter(
            String actor, String action, String targetType, String targetId, String outcome, java.time.Instant since) {}

    private static AuditEventView view(Object[] r) {
        return new AuditEventView(
                ((Number) r[0]).longValue(),
                SqlValues.instant(r[1]),
                (String) r[2],
                (String) r[3],
                (String) r[4],
                (String) r[5],
                (String) r[6],
                (String) r[7],
                (String) r[8],
                (String) r[9],
                parse((String) r[10]),
                parse((String) r[11]));
    }

    private static JsonNode parse(String json) {
        try {
            return json == null ? null : JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String json(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write an audit summary", e);
        }
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    /** The address an authentication request came from, while the request is being authenticated. */
    public static String sourceIp(io.quarkus.security.identity.request.AuthenticationRequest request) {
        var http = io.quarkus.vertx.http.runtime.security.HttpSecurityUtils.getRoutingContextAttribute(request);
        return http == null || http.request().remoteAddress() == null
                ? null
                : http.request().remoteAddress().hostAddress();
    }

    /** The caller's address, when this runs for an HTTP request. */
    static String sourceIp() {
        if (!Arc.container().requestContext().isActive()) {
            return null;
        }
        var current = Arc.container().instance(CurrentVertxRequest.class).get().getCurrent();
        if (current == null || current.request().remoteAddress() == null) {
            return null;
        }
        return current.request().remoteAddress().hostAddress();
    }
}
