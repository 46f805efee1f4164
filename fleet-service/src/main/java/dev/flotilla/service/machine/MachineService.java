package dev.flotilla.service.machine;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.flotilla.api.protocol.Hello;
import dev.flotilla.api.rest.CredentialRotationView;
import dev.flotilla.api.rest.MachineEventView;
import dev.flotilla.api.rest.MachineView;
import dev.flotilla.api.rest.Page;
import dev.flotilla.api.selector.LabelSelector;
import dev.flotilla.api.selector.Labels;
import dev.flotilla.service.common.AdvisoryLocks;
import dev.flotilla.service.common.Cursor;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.common.TimeService;
import dev.flotilla.service.notify.Notify;

/** The fleet inventory: machines, their labels, their presence and its history. */
@ApplicationScoped
@Transactional
public class MachineService {
    public static final int MAX_PAGE = 500;

    @Inject
    EntityManager em;

    @Inject
    TimeService time;

    @Inject
    Event<PresenceChanged> presenceChanged;

    @Inject
    Event<MachineRemoved> machineRemoved;

    @Inject
    Event<MachineChanged> machineChanged;

    @Inject
    dev.flotilla.service.audit.AuditLog audit;

    /**
     * Adds a newly enrolled machine.
     *
     * @throws ProblemException 409 when the organization already has a machine with this id
     */
    public void register(UUID orgId, String machineId, String hostname, byte[] credentialHash, UUID enrolledWith) {
        if (Machine.findById(new Machine.Key(orgId, machineId)) != null) {
            throw ProblemException.conflict("machine " + machineId
                    + " is already enrolled; remove it first if this host was reinstalled or cloned");
        }
        Instant now = now();
        Machine m = new Machine();
        m.orgId = orgId;
        m.id = machineId;
        m.hostname = hostname;
        m.credentialHash = credentialHash;
        m.presence = Presence.OFFLINE.wireName();
        m.presenceSince = now;
        m.agentLabels = Map.of();
        m.operatorLabels = Map.of();
        m.labels = Map.of();
        m.enrolledWith = enrolledWith;
        m.enrolledAt = now;
        m.persist();
        MachineEvent.of(orgId, machineId, "enrolled", now, "enrolled as " + hostname)
                .persist();
        machineChanged.fire(new MachineChanged(orgId, machineId));
    }

    /**
     * The machines these credential hashes belong to, in one query: the agent gateway checks the
     * credentials of connections that arrive together at once (a storm of 10,000 is a few dozen
     * queries, not 10,000). Keyed by the hash's hex; a hash no machine has is absent. A new
     * credential not yet confirmed also opens: the agent saved it and its confirmation was lost
     * (a crash, a cut connection), so using it confirms it.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Map<String, MachineRef> byCredentials(java.util.Collection<byte[]> hashes) {
        Map<String, MachineRef> out = new java.util.HashMap<>();
        if (hashes.isEmpty()) {
            return out;
        }
        byte[][] all = hashes.toArray(byte[][]::new);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select org_id, id, credential_hash, next_credential_hash from"
                        + " machine where credential_hash = any(:h) or next_credential_hash = any(:h)")
                .setParameter("h", all)
                .getResultList();
        java.util.HexFormat hex = java.util.HexFormat.of();
        java.util.Set<String> asked = new java.util.HashSet<>();
        for (byte[] h : all) {
            asked.add(hex.formatHex(h));
        }
        List<MachineRef> byNext = new ArrayList<>();
        for (Object[] r : rows) {
            MachineRef ref = new MachineRef((UUID) r[0], (String) r[1]);
            String current = hex.formatHex((byte[]) r[2]);
            if (asked.contains(current)) {
                out.put(current, ref);
            }
            if (r[3] != null) {
                String next = hex.formatHex((byte[]) r[3]);
                if (asked.contains(next) && !out.containsKey(next)) {
                    out.put(next, ref);
                    byNext.add(ref);
                }
            }
        }
        for (MachineRef ref : byNext) {
            io.quarkus.narayana.jta.QuarkusTransaction.requiringNew()
                    .run(() -> self().confirmCredential(ref, "used by the agent to connect"));
        }
        return out;
    }

    private MachineService self() {
        return io.quarkus.arc.Arc.container().instance(MachineService.class).get();
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public MachineView get(UUID orgId, String id) {
        return find(orgId, id).view();
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<MachineView> list(MachineQuery query) {
        int limit = Math.max(1, Math.min(query.limit(), MAX_PAGE));
        StringBuilder sql = new StringBuilder("select * from machine where org_id = :org");
        Map<String, Object> params = new HashMap<>();
        where(query, sql, params);
        if (query.cursor() != null && !query.cursor().isBlank()) {
            List<String> after = Cursor.decode(query.cursor(), 2);
            sql.append(" and (hostname, id) > (:afterHost, :afterId)");
            params.put("afterHost", after.get(0));
            params.put("afterId", after.get(1));
        }
        sql.append(" order by hostname, id limit :limit");
        params.put("limit", limit + 1);
        var q = em.createNativeQuery(sql.toString(), Machine.class);
        params.forEach(q::setParameter);
        @SuppressWarnings("unchecked")
        List<Machine> rows = q.getResultList();
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            Machine last = rows.get(limit - 1);
            next = Cursor.encode(last.hostname, last.id);
        }
        return new Page<>(rows.stream().map(Machine::view).toList(), next);
    }

    /**
     * Sets ({@code value} non-null) or removes ({@code value} null) labels set through the API.
     * Labels from the agent's configuration can be overridden but not removed here.
     */
    public MachineView changeLabels(UUID orgId, String id, Map<String, String> changes, String actor) {
        Machine m = find(orgId, id);
        apply(m, relabel(m, changes), changes, actor);
        return m.view();
    }

    /** A machine, and its labels as {@link #changeLabels} would leave them (same checks; nothing stored). */
    public record LabelPreview(MachineView machine, Map<String, String> after) {}

    /** What {@link #changeLabels} would do, refused for the same reasons, without storing anything. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public LabelPreview previewLabels(UUID orgId, String id, Map<String, String> changes) {
        Machine m = find(orgId, id);
        return new LabelPreview(m.view(), relabel(m, changes).effective());
    }

    /** How many machines a query matches (its cursor and limit aside). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public long count(MachineQuery query) {
        StringBuilder sql = new StringBuilder("select count(*) from machine where org_id = :org");
        Map<String, Object> params = new HashMap<>();
        where(query, sql, params);
        var q = em.createNativeQuery(sql.toString());
        params.forEach(q::setParameter);
        return ((Number) q.getSingleResult()).longValue();
    }

    /**
     * {@link #changeLabels} on every machine a query matches (its cursor and limit aside), at most
     * {@code max} of them, all or none: one transaction, so that a machine that refuses the change
     * (an agent's label cannot be removed) leaves no fleet half changed. Machines are loaded and
     * written {@value #BULK_BATCH} at a time so memory stays flat; one audit entry gives the count.
     *
     * @return how many machines were changed
     * @throws ProblemException 400 when more than {@code max} machines match
     */
    public int changeLabelsWhere(MachineQuery query, Map<String, String> changes, String actor, int max) {
        // One bulk change at a time per organization: each may write thousands of rows, and a
        // second one at once would only queue on their locks (holding a connection meanwhile).
        Object free = em.createNativeQuery("select pg_try_advisory_xact_lock("
                        + dev.flotilla.service.common.AdvisoryLocks.BULK_LABELS + ", hashtext(cast(:o as text)))")
                .setParameter("o", query.orgId())
                .getSingleResult();
        if (!Boolean.TRUE.equals(free)) {
            throw ProblemException.tooMany(
                    "another bulk label change of this organization is running; retry when it ends", 5);
        }
        StringBuilder sql = new StringBuilder("select id from machine where org_id = :org");
        Map<String, Object> params = new HashMap<>();
        where(query, sql, params);
        sql.append(" order by hostname, id limit :limit");
        params.put("limit", max + 1);
        var q = em.createNativeQuery(sql.toString());
        params.forEach(q::setParameter);
        @SuppressWarnings("unchecked")
        List<String> ids = q.getResultList();
        if (ids.size() > max) {
            throw ProblemException.badRequest("more than " + max + " machines match; a bulk change touches at most "
                    + max + ": narrow the filter");
        }
        int changed = 0;
        for (int from = 0; from < ids.size(); from += BULK_BATCH) {
            List<String> batch = ids.subList(from, Math.min(ids.size(), from + BULK_BATCH));
            List<Machine> found = Machine.list("orgId = ?1 and id in ?2", query.orgId(), batch);
            for (Machine m : found) {
                Relabel r = relabel(m, changes);
                if (r.effective().equals(m.labels) && r.operator().equals(m.operatorLabels)) {
                    continue; // already so: no write, no history line (a replayed change costs reads only)
                }
                apply(m, r, changes, actor);
                changed++;
            }
            em.flush();
            em.clear();
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("machines", changed);
        summary.put("matched", ids.size());
        summary.put("changes", changes);
        audit.change(query.orgId(), actor, "machine.labels.bulk", "machines", describe(query), null, summary);
        return changed;
    }

    /** Bulk changes load and write this many machines at a time. */
    public static final int BULK_BATCH = 500;

    private static String describe(MachineQuery query) {
        StringBuilder b = new StringBuilder("selector=").append(query.selector());
        if (query.presence() != null) {
            b.append(" presence=").append(query.presence().wireName());
        }
        if (query.text() != null && !query.text().isBlank()) {
            b.append(" q=").append(query.text().strip());
        }
        return b.toString();
    }

    /** A machine's labels after a change: those set through the API, and the effective ones. */
    private record Relabel(Map<String, String> operator, Map<String, String> effective) {}

    private static Relabel relabel(Machine m, Map<String, String> changes) {
        Map<String, String> operator = new LinkedHashMap<>(m.operatorLabels);
        changes.forEach((k, v) -> {
            if (!Labels.isValidKey(k)) {
                throw ProblemException.badRequest("invalid label key '" + k + "'");
            }
            if (v == null) {
                if (!operator.containsKey(k) && m.agentLabels.containsKey(k)) {
                    throw ProblemException.conflict("label '" + k
                            + "' comes from the agent's configuration; change it there or override its value");
                }
                operator.remove(k);
            } else if (!Labels.isValidValue(v)) {
                throw ProblemException.badRequest("invalid value '" + v + "' for label '" + k + "'");
            } else {
                operator.put(k, v);
            }
        });
        Map<String, String> effective = effective(m.agentLabels, operator);
        try {
            Labels.validate(effective);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(e.getMessage());
        }
        return new Relabel(operator, effective);
    }

    private void apply(Machine m, Relabel r, Map<String, String> changes, String actor) {
        m.operatorLabels = r.operator();
        m.labels = r.effective();
        MachineEvent.of(m.orgId, m.id, "labels", now(), "labels changed by " + actor + ": " + changes)
                .persist();
        machineChanged.fire(new MachineChanged(m.orgId, m.id));
    }

    /** Removes a machine; its credential stops working at once and its session is closed. */
    public void remove(UUID orgId, String id, String actor) {
        Machine m = find(orgId, id);
        m.delete();
        MachineEvent.of(orgId, id, "removed", now(), "removed by " + actor).persist();
        machineRemoved.fire(new MachineRemoved(orgId, id));
        machineChanged.fire(new MachineChanged(orgId, id));
        // Every other replica closes the machine's session too, if it holds it (on commit).
        Notify.send(em, MachineRemovedNotifications.CHANNEL, new MachineRef(orgId, id).payload());
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<MachineEventView> events(UUID orgId, String id, String cursor, int limit) {
        int n = Math.max(1, Math.min(limit, MAX_PAGE));
        long before = Long.MAX_VALUE;
        if (cursor != null && !cursor.isBlank()) {
            try {
                before = Long.parseLong(Cursor.decode(cursor, 1).get(0));
            } catch (NumberFormatException e) {
                throw ProblemException.badRequest("invalid cursor");
            }
        }
        List<MachineEvent> rows = MachineEvent.<MachineEvent>find(
                        "orgId = ?1 and machineId = ?2 and id < ?3 order by id desc", orgId, id, before)
                .page(0, n + 1)
                .list();
        String next = null;
        if (rows.size() > n) {
            rows = rows.subList(0, n);
            next = Cursor.encode(String.valueOf(rows.get(n - 1).id));
        }
        return new Page<>(rows.stream().map(MachineEvent::view).toList(), next);
    }

    /** A machine credential's prefix (the enrollment service issues the first). */
    public static final String CREDENTIAL_PREFIX = "flm_";

    /** How a session's hello went. */
    public enum Online {
        /** The machine no longer exists. */
        REMOVED,
        ONLINE,
        /** Online, and an admin asked for a new credential: issue it over this session. */
        ONLINE_ROTATION_DUE
    }

    /**
     * An admin asks for a new credential for the machine: issued over its session now (by the
     * replica that holds it) or at its next connection. The old one works until the agent confirms.
     */
    public CredentialRotationView requestCredentialRotation(UUID orgId, String id, String actor) {
        Machine m = find(orgId, id);
        Instant now = now();
        m.credentialRotationRequestedAt = now;
        MachineEvent.of(orgId, id, "credential", now, "new credential requested by " + actor)
                .persist();
        audit.record(orgId, actor, "machine.rotate-credential", id, "a new credential requested");
        Notify.send(em, CredentialRotationNotifications.CHANNEL, new MachineRef(orgId, id).payload());
        return rotation(m);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public CredentialRotationView credential(UUID orgId, String id) {
        return rotation(find(orgId, id));
    }

    private static CredentialRotationView rotation(Machine m) {
        String state = m.credentialRotationRequestedAt == null
                ? "current"
                : m.nextCredentialHash == null ? "requested" : "issued";
        return new CredentialRotationView(m.id, state, m.credentialRotationRequestedAt, m.credentialRotatedAt);
    }

    /**
     * For the session of a machine whose rotation was asked for: a new credential, its hash kept
     * beside the old one (which still works) until the agent confirms.
     *
     * @return the new credential, or empty when no rotation is pending
     */
    public Optional<String> issueNextCredential(MachineRef ref) {
        Machine m = Machine.findById(new Machine.Key(ref.orgId(), ref.machineId()));
        if (m == null || m.credentialRotationRequestedAt == null) {
            return Optional.empty();
        }
        String secret = dev.flotilla.service.common.Secrets.generate(CREDENTIAL_PREFIX);
        m.nextCredentialHash = dev.flotilla.service.common.Secrets.hash(secret);
        return Optional.of(secret);
    }

    /**
     * The agent saved the new credential (it said so, or connected with it): it replaces the old
     * one, which stops working now.
     *
     * @return {@code false} when no new credential was pending
     */
    public boolean confirmCredential(MachineRef ref, String how) {
        Machine m = Machine.findById(new Machine.Key(ref.orgId(), ref.machineId()));
        if (m == null || m.nextCredentialHash == null) {
            return false;
        }
        Instant now = now();
        m.credentialHash = m.nextCredentialHash;
        m.nextCredentialHash = null;
        m.credentialRotationRequestedAt = null;
        m.credentialRotatedAt = now;
        MachineEvent.of(
                        ref.orgId(),
                        ref.machineId(),
                        "credential",
                        now,
                        "new credential " + how + "; the old one no longer works")
                .persist();
        audit.record(
                ref.orgId(),
                "agent:" + ref.machineId(),
                "machine.credential-rotated",
                ref.machineId(),
                "new credential " + how);
        return true;
    }

    /**
     * A session opened: the machine is online, with what it said in hello.
     *
     * @return whether the machine still exists, and whether it owes a new credential
     */
    public Online online(MachineRef ref, UUID sessionId, Hello hello) {
        Machine m = Machine.findById(new Machine.Key(ref.orgId(), ref.machineId()));
        if (m == null) {
            return Online.REMOVED;
        }
        Instant now = now();
        m.hostname = hello.hostname();
        m.facts = hello.facts();
        m.agentVersion = hello.agentVersion();
        m.agentLabels = hello.labels();
        Map<String, String> labels = effective(m.agentLabels, m.operatorLabels);
        if (!labels.equals(m.labels)) {
            machineChanged.fire(new MachineChanged(ref.orgId(), ref.machineId())); // the agent's configuration changed
        }
        m.labels = labels;
        m.sessionId = sessionId;
        m.lastSeenAt = now;
        transition(m, Presence.ONLINE, now, "agent " + hello.agentVersion() + " connected");
        return m.credentialRotationRequestedAt == null ? Online.ONLINE : Online.ONLINE_ROTATION_DUE;
    }

    /** The host's facts changed while connected (an address, the OS version after an update). */
    public void factsChanged(MachineRef ref, dev.flotilla.api.protocol.Facts facts) {
        Machine m = Machine.findById(new Machine.Key(ref.orgId(), ref.machineId()));
        if (m != null) {
            m.facts = facts;
        }
    }

    /** A session ended or went silent: offline, unless another session has taken over meanwhile. */
    public void offline(MachineRef ref, UUID sessionId, String reason) {
        Machine m = Machine.findById(new Machine.Key(ref.orgId(), ref.machineId()));
        if (m == null || !sessionId.equals(m.sessionId)) {
            return;
        }
        m.sessionId = null;
        transition(m, Presence.OFFLINE, now(), reason);
    }

    /** Records when live sessions were last heard from, in one batch. */
    public void touch(Map<MachineRef, Instant> lastSeen) {
        if (lastSeen.isEmpty()) {
            return;
        }
        var session = em.unwrap(org.hibernate.Session.class);
        session.doWork(c -> {
            try (var ps = c.prepareStatement(
                    "update machine set last_seen_at = greatest(last_seen_at, ?) where org_id = ? and id = ?")) {
                // In one order everywhere (the state writer locks machines in the same order): no deadlocks.
                var sorted = new java.util.ArrayList<>(lastSeen.entrySet());
                sorted.sort(java.util.Comparator.comparing(
                                (Map.Entry<MachineRef, Instant> e) -> e.getKey().orgId())
                        .thenComparing(e -> e.getKey().machineId()));
                for (var e : sorted) {
                    ps.setObject(1, java.sql.Timestamp.from(e.getValue()));
                    ps.setObject(2, e.getKey().orgId());
                    ps.setString(3, e.getKey().machineId());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    /**
     * Marks offline the online machines not heard from within {@code ttl} (their replica died or
     * lost them), and lost the offline ones past {@code grace}.
     */
    public void sweep(Duration ttl, Duration grace) {
        // One replica sweeps at a time; the others skip this round rather than record each change twice.
        Object locked = em.createNativeQuery("select pg_try_advisory_xact_lock(" + AdvisoryLocks.PRESENCE_SWEEP + ")")
                .getSingleResult();
        if (!Boolean.TRUE.equals(locked)) {
            return;
        }
        Instant now = now();
        List<Machine> silent = Machine.list("presence = ?1 and lastSeenAt < ?2", "online", now.minus(ttl));
        for (Machine m : silent) {
            m.sessionId = null;
            transition(m, Presence.OFFLINE, now, "no heartbeat for " + ttl.toSeconds() + " s");
        }
        List<Machine> gone = Machine.list("presence = ?1 and presenceSince < ?2", "offline", now.minus(grace));
        for (Machine m : gone) {
            transition(m, Presence.LOST, now, "offline for more than " + grace.toSeconds() + " s");
        }
    }

    private void transition(Machine m, Presence to, Instant now, String reason) {
        String from = m.presence;
        if (to.wireName().equals(from)) {
            return;
        }
        m.presence = to.wireName();
        m.presenceSince = now;
        MachineEvent e = MachineEvent.of(m.orgId, m.id, "presence", now, reason);
        e.fromPresence = from;
        e.toPresence = to.wireName();
        e.persist();
        presenceChanged.fire(new PresenceChanged(m.orgId, m.id, m.hostname, to, now));
    }

    private Machine find(UUID orgId, String id) {
        Machine m = id == null || id.length() != 32 ? null : Machine.findById(new Machine.Key(orgId, id));
        if (m == null) {
            throw ProblemException.notFound(
                    "machine " + (id == null ? "" : id.length() > 64 ? id.substring(0, 64) : id));
        }
        return m;
    }

    private Instant now() {
        return time.now().truncatedTo(ChronoUnit.MICROS);
    }

    static Map<String, String> effective(Map<String, String> agent, Map<String, String> operator) {
        Map<String, String> out = new LinkedHashMap<>(agent);
        out.putAll(operator);
        return out;
    }

    /** The query's conditions but its cursor: presence, text, selector (the organization is bound here). */
    private static void where(MachineQuery query, StringBuilder sql, Map<String, Object> params) {
        params.put("org", query.orgId());
        if (query.presence() != null) {
            sql.append(" and presence = :presence");
            params.put("presence", query.presence().wireName());
        }
        if (query.text() != null && !query.text().isBlank()) {
            sql.append(" and (hostname ilike :text escape '\\' or id like :idprefix escape '\\')");
            String escaped = escapeLike(query.text().strip());
            params.put("text", "%" + escaped + "%");
            params.put("idprefix", escaped.toLowerCase(java.util.Locale.ROOT) + "%");
        }
        if (query.os() != null && !query.os().isBlank()) {
            sql.append(" and ").append(OS).append(" = :os");
            params.put("os", query.os());
        }
        if (query.agent() != null && !query.agent().isBlank()) {
            sql.append(" and ").append(AGENT).append(" = :agent");
            params.put("agent", query.agent());
        }
        SelectorSql.append(query.selector(), sql, params);
    }

    static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /**
     * A page of machines: {@code os} and {@code agent}, when given, must equal {@link #OS} and
     * {@link #AGENT} (the overview's groups, {@code unknown} included).
     */
    public record MachineQuery(
            UUID orgId,
            LabelSelector selector,
            Presence presence,
            String text,
            String os,
            String agent,
            String cursor,
            int limit) {
        public MachineQuery(
                UUID orgId, LabelSelector selector, Presence presence, String text, String cursor, int limit) {
            this(orgId, selector, presence, text, null, null, cursor, limit);
        }
    }

    /**
     * A machine's OS as the overview groups machines and {@code ?os=} filters them, so a count and
     * its list agree: the pretty name from os-release, or {@code unknown} before the agent's hello.
     */
    public static final String OS = "coalesce(facts -> 'os' ->> 'prettyName', 'unknown')";

    /** A machine's agent version as the overview groups and {@code ?agent=} filters, {@code unknown} if not said. */
    public static final String AGENT = "coalesce(agent_version, 'unknown')";

    /** Translates a label selector into parameterized SQL over the {@code labels} column. */
    public static final class SelectorSql {
        private SelectorSql() {}

        /** Appends {@code and ...} conditions on {@code labels} to {@code sql}, binding into {@code params}. */
        public static void append(LabelSelector selector, StringBuilder sql, Map<String, Object> params) {
            int i = 0;
            for (var r : selector.requirements()) {
                String k = "k" + i;
                params.put(k, r.key());
                List<String> names = new ArrayList<>();
                int j = 0;
                for (String v : r.values()) {
                    String name = "v" + i + "_" + j++;
                    params.put(name, v);
                    names.add(":" + name);
                }
                String in = String.join(", ", names);
                switch (r.operator()) {
                    case EXISTS ->
                        sql.append(" and jsonb_exists(labels, :").append(k).append(")");
                    case NOT_EXISTS ->
                        sql.append(" and not jsonb_exists(labels, :").append(k).append(")");
                    case EQUALS, IN ->
                        sql.append(" and labels ->> :")
                                .append(k)
                                .append(" in (")
                                .append(in)
                                .append(")");
                    case NOT_EQUALS, NOT_IN ->
                        sql.append(" and (labels ->> :")
                                .append(k)
                                .append(" is null or labels ->> :")
                                .append(k)
                                .append(" not in (")
                                .append(in)
                                .append("))");
                }
                i++;
            }
        }
    }
}
