package dev.flotilla.service.units;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.flotilla.api.rest.NewUnit;
import dev.flotilla.api.rest.Page;
import dev.flotilla.api.rest.RolloutPolicy;
import dev.flotilla.api.rest.UnitView;
import dev.flotilla.api.unit.FleetRequirements;
import dev.flotilla.api.unit.UnitFile;
import dev.flotilla.api.unit.UnitNames;
import dev.flotilla.service.common.Cursor;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.common.SqlValues;

/**
 * Units as fleet defined them: checked as fleet checked them (names, [X-Fleet] combinations),
 * stored, and scheduled in the same transaction.
 */
@ApplicationScoped
@Transactional
public class UnitService {
    public static final Set<String> TARGETS = Set.of("inactive", "loaded", "launched");

    @Inject
    dev.flotilla.service.tenant.Quotas quotas;

    @Inject
    EntityManager em;

    @Inject
    UnitScheduler scheduler;

    /** Whether it was created (true) or replaced (false). */
    public record Saved(boolean created, UnitView unit) {}

    @Inject
    RolloutService rollouts;

    /**
     * Creates or replaces a unit. A new file for a global unit that runs somewhere is rolled out
     * (see {@link RolloutService}) rather than given to every machine at once.
     */
    /** A unit as it would be saved: its file parsed and its [X-Fleet] rules read and valid. */
    public record Checked(String target, String content, UnitFile file, FleetRequirements requirements) {}

    /**
     * Checks a unit as {@link #put} would, without saving it: a {@link ProblemException} (400)
     * with the reason when the name, the target, the file or its [X-Fleet] rules are invalid.
     */
    public Checked check(UUID orgId, String name, NewUnit body) {
        String nameProblem = UnitNames.problem(name);
        if (nameProblem != null) {
            throw ProblemException.badRequest(nameProblem);
        }
        if (body == null) {
            throw ProblemException.badRequest("a body with content (and target) is required");
        }
        String target = body.target() == null ? "launched" : body.target();
        if (!TARGETS.contains(target)) {
            throw ProblemException.badRequest("target must be inactive, loaded or launched");
        }
        if (UnitNames.isTemplate(name) && !target.equals("inactive")) {
            throw ProblemException.badRequest("cannot activate template \"" + name + "\"");
        }
        String content = body.content();
        if (content == null || content.isBlank()) {
            String template = UnitNames.templateOf(name);
            content = template == null ? null : storedContent(orgId, template);
            if (content == null) {
                throw ProblemException.badRequest(
                        template == null
                                ? "content is required"
                                : "content is required: there is no template " + template + " to take it from");
            }
        }
        UnitFile file;
        try {
            file = UnitFile.parse(content);
        } catch (UnitFile.SyntaxException e) {
            throw ProblemException.badRequest("not a unit file: " + e.getMessage());
        }
        FleetRequirements req = FleetRequirements.of(file, name);
        String problem = req.problem();
        if (problem != null) {
            throw ProblemException.badRequest(problem);
        }
        if (!req.replaces().isEmpty()) {
            circularReplaces(orgId, name, req);
        }
        return new Checked(target, content, file, req);
    }

    public Saved put(UUID orgId, String name, NewUnit body, String actor) {
        Checked checked = check(orgId, name, body);
        String target = checked.target();
        String content = checked.content();
        UnitFile file = checked.file();
        FleetRequirements req = checked.requirements();
        java.util.Optional<Stored> existing = find(orgId, name);
        if (existing.isPresent()
                && existing.get().global()
                && req.global()
                && !existing.get().hash().equals(file.hash())
                && !target.equals("inactive")
                && placements(orgId, name) > 0) {
            // A running global unit's new file goes out as a rollout, in batches gated on health;
            // the unit keeps its file (and [X-Fleet] rules) until the rollout succeeds.
            RolloutPolicy policy = RolloutService.validated(body.rollout());
            rollouts.start(
                    orgId, name, existing.get().content(), existing.get().hash(), content, file.hash(), policy, actor);
            setTarget(orgId, name, target, actor);
            placeNowOrSoon(orgId, scheduler.advanceAndReconcile(orgId)); // the first batch gets the new file now
            return new Saved(false, get(orgId, name));
        }
        if (body.rollout() != null) {
            RolloutService.validated(body.rollout()); // checked even when there is nothing to roll out
        }
        int updated = em.createNativeQuery("update unit set content = :c, hash = :h, target_state = :t, global = :g,"
                        + " updated_at = now(), updated_by = :by where org_id = :o and name = :n")
                .setParameter("c", content)
                .setParameter("h", file.hash())
                .setParameter("t", target)
                .setParameter("g", req.global())
                .setParameter("by", actor)
                .setParameter("o", orgId)
                .setParameter("n", name)
                .executeUpdate();
        if (updated == 0) {
            quotas.checkNewUnit(orgId);
            em.createNativeQuery("insert into unit (org_id, name, content, hash, target_state, global, updated_by)"
                            + " values (:o, :n, :c, :h, :t, :g, :by)")
                    .setParameter("o", orgId)
                    .setParameter("n", name)
                    .setParameter("c", content)
                    .setParameter("h", file.hash())
                    .setParameter("t", target)
                    .setParameter("g", req.global())
                    .setParameter("by", actor)
                    .executeUpdate();
        }
        placeNowOrSoon(orgId, scheduler.reconcile(orgId));
        return new Saved(updated == 0, get(orgId, name));
    }

    @Inject
    SchedulingMarks marks;

    /**
     * Units are placed in the request's transaction; when the organization's share of placement
     * time is used up they are not, and the scheduler's leader places them once it refills.
     */
    private void placeNowOrSoon(UUID orgId, boolean placed) {
        if (!placed) {
            marks.mark(orgId);
        }
    }

    private int setTarget(UUID orgId, String name, String target, String actor) {
        return em.createNativeQuery("update unit set target_state = :t, updated_at = now(), updated_by = :by"
                        + " where org_id = :o and name = :n")
                .setParameter("t", target)
                .setParameter("by", actor)
                .setParameter("o", orgId)
                .setParameter("n", name)
                .executeUpdate();
    }

    private int placements(UUID orgId, String name) {
        return ((Number) em.createNativeQuery("select count(*) from desired_unit where org_id = :o and unit_name = :n")
                        .setParameter("o", orgId)
                        .setParameter("n", name)
                        .getSingleResult())
                .intValue();
    }

    /** Changes a unit's target state (fleet's load, start, stop, unload). */
    public UnitView target(UUID orgId, String name, String target, String actor) {
        if (target == null || !TARGETS.contains(target)) {
            throw ProblemException.badRequest("target must be inactive, loaded or launched");
        }
        if (UnitNames.isTemplate(name) && !target.equals("inactive")) {
            throw ProblemException.badRequest("cannot activate template \"" + name + "\"");
        }
        if (setTarget(orgId, name, target, actor) == 0) {
            throw notFound(name);
        }
        placeNowOrSoon(orgId, scheduler.reconcile(orgId));
        return get(orgId, name);
    }

    /** Destroys a unit: it is stopped and its file removed wherever it was placed. */
    public void destroy(UUID orgId, String name) {
        int n = em.createNativeQuery("delete from unit where org_id = :o and name = :n")
                .setParameter("o", orgId)
                .setParameter("n", name)
                .executeUpdate();
        if (n == 0) {
            throw notFound(name);
        }
        placeNowOrSoon(orgId, scheduler.reconcile(orgId));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public UnitView get(UUID orgId, String name) {
        List<UnitView> found = views(orgId, "name = :after", name, 1, true);
        if (found.isEmpty()) {
            throw notFound(name);
        }
        return found.get(0);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<UnitView> list(UUID orgId, String cursor, int limit) {
        String after = cursor == null || cursor.isBlank()
                ? ""
                : Cursor.decode(cursor, 1).get(0);
        List<UnitView> rows = views(orgId, "name > :after", after, limit + 1, false);
        List<UnitView> items = rows.subList(0, Math.min(limit, rows.size()));
        return new Page<>(
                items, rows.size() > limit ? Cursor.encode(items.get(limit - 1).name()) : null);
    }

    private List<UnitView> views(UUID orgId, String where, String value, int limit, boolean withContent) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select u.name, u.target_state, u.global, u.hash, u.machine_id,"
                        + " (select count(*) from desired_unit d where d.org_id = u.org_id and d.unit_name = u.name),"
                        + " (select count(*) from desired_unit d join machine_unit s on s.org_id = d.org_id"
                        + "   and s.machine_id = d.machine_id and s.name = d.name"
                        + "   where d.org_id = u.org_id and d.unit_name = u.name and s.active_state = 'active'),"
                        + " (select count(*) from desired_unit d join machine_unit s on s.org_id = d.org_id"
                        + "   and s.machine_id = d.machine_id and s.name = d.name"
                        + "   where d.org_id = u.org_id and d.unit_name = u.name and s.active_state = 'failed'),"
                        + " u.content, u.updated_at, u.updated_by"
                        + " from unit u where u.org_id = :o and u." + where + " order by u.name limit :n")
                .setParameter("o", orgId)
                .setParameter("after", value)
                .setParameter("n", limit)
                .getResultList();
        List<UnitView> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(new UnitView(
                    (String) r[0],
                    (String) r[1],
                    (Boolean) r[2],
                    (String) r[3],
                    (String) r[4],
                    ((Number) r[5]).intValue(),
                    ((Number) r[6]).intValue(),
                    ((Number) r[7]).intValue(),
                    withContent ? (String) r[8] : null,
                    SqlValues.instant(r[9]),
                    (String) r[10]));
        }
        return out;
    }

    /**
     * The global units a machine with {@code labels} would run (the scheduler's rule, {@link
     * Placements#globalUnitsOf}): what a label change's preview compares before and after.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public java.util.SortedSet<String> globalUnitsFor(UUID orgId, String machineId, Map<String, String> labels) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select name, content, target_state, global, machine_id from unit"
                        + " where org_id = :o and (global or machine_id = :m)")
                .setParameter("o", orgId)
                .setParameter("m", machineId)
                .getResultList();
        List<Placements.Unit> units = new ArrayList<>();
        for (Object[] r : rows) {
            units.add(new Placements.Unit(
                    (String) r[0], UnitFile.parse((String) r[1]), (String) r[2], (Boolean) r[3], (String) r[4]));
        }
        return Placements.globalUnitsOf(units, new Placements.Machine(machineId, labels, false));
    }

    /** A unit as stored. */
    public record Stored(String name, String content, String hash, String target, boolean global, String machineId) {}

    @Transactional(Transactional.TxType.SUPPORTS)
    public java.util.Optional<Stored> find(UUID orgId, String name) {
        List<Stored> found = stored(orgId, "name = :v", name, 1);
        return found.stream().findFirst();
    }

    /** Units by name after {@code after}, for fleet's API. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<Stored> page(UUID orgId, String after, int limit) {
        return stored(orgId, "name > :v", after, limit);
    }

    /**
     * fleet's currentState of a unit that is not global: {@code inactive} while it is not
     * scheduled or its machine reports nothing of it, {@code launched} while the machine reports it
     * active, else {@code loaded}.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public String currentState(UUID orgId, Stored u) {
        if (u.machineId() == null) {
            return "inactive";
        }
        Object active = em.createNativeQuery(
                        "select active_state from machine_unit where org_id = :o and machine_id = :m and name = :n")
                .setParameter("o", orgId)
                .setParameter("m", u.machineId())
                .setParameter("n", u.name())
                .getResultStream()
                .findFirst()
                .orElse(null);
        if (active == null) {
            return "inactive";
        }
        return Set.of("active", "activating", "reloading").contains(active) ? "launched" : "loaded";
    }

    private List<Stored> stored(UUID orgId, String where, String value, int limit) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select name, content, hash, target_state, global, machine_id"
                        + " from unit where org_id = :o and " + where + " order by name limit :n")
                .setParameter("o", orgId)
                .setParameter("v", value)
                .setParameter("n", limit)
                .getResultList();
        return rows.stream()
                .map(r -> new Stored(
                        (String) r[0], (String) r[1], (String) r[2], (String) r[3], (Boolean) r[4], (String) r[5]))
                .toList();
    }

    /** A unit may not replace a unit that replaces it (fleet: "circular replacement ... not allowed"). */
    private void circularReplaces(UUID orgId, String name, FleetRequirements req) {
        @SuppressWarnings("unchecked")
        List<Object[]> others = em.createNativeQuery(
                        "select name, content from unit where org_id = :o and name <> :n and content like '%Replaces%'")
                .setParameter("o", orgId)
                .setParameter("n", name)
                .getResultList();
        for (Object[] r : others) {
            String other = (String) r[0];
            if (req.replaces().stream().noneMatch(g -> FleetRequirements.glob(g, other))) {
                continue;
            }
            FleetRequirements theirs = FleetRequirements.of(UnitFile.parse((String) r[1]), other);
            if (theirs.replaces().stream().anyMatch(g -> FleetRequirements.glob(g, name))) {
                throw ProblemException.badRequest(
                        "circular Replaces: " + name + " replaces " + other + ", which replaces " + name);
            }
        }
    }

    private String storedContent(UUID orgId, String name) {
        return (String) em.createNativeQuery("select content from unit where org_id = :o and name = :n")
                .setParameter("o", orgId)
                .setParameter("n", name)
                .getResultStream()
                .findFirst()
                .orElse(null);
    }

    private static ProblemException notFound(String name) {
        return ProblemException.notFound("unit " + (UnitNames.isValid(name) ? name : ""));
    }
}
