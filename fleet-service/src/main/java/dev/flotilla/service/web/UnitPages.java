package dev.flotilla.service.web;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestStreamElementType;

import dev.flotilla.api.rest.NewUnit;
import dev.flotilla.api.rest.Page;
import dev.flotilla.api.rest.UnitView;
import dev.flotilla.api.unit.FleetRequirements;
import dev.flotilla.api.unit.UnitFile;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;
import dev.flotilla.service.units.RolloutService;
import dev.flotilla.service.units.UnitService;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Multi;

/**
 * The dashboard's unit pages: the list, one unit (live), submit and edit with a check before
 * saving, and fleetctl's start/stop/load/unload/destroy behind a confirmation. Every form carries
 * a CSRF token (quarkus-rest-csrf); changes need the operator role, as in the API.
 */
@Path("/units")
@Produces(MediaType.TEXT_HTML)
public class UnitPages {

    /** This group's pages: templates/units/ in the web-ui module; the layout shows who is signed in. */
    @CheckedTemplate(basePath = "units")
    static class Templates {
        /** The units; {@code hosts} the host names of the machines the page names. */
        static native TemplateInstance units(Page<UnitView> page, Map<String, String> hosts, boolean canOperate);

        /** A unit's page; {@code rollout} is its latest rollout, or null; {@code notice} what was just done. */
        static native TemplateInstance unit(
                UnitView unit,
                List<String> options,
                UnitLive.Snapshot live,
                dev.flotilla.api.rest.RolloutView rollout,
                RolloutBatches batches,
                Map<String, String> hosts,
                boolean canOperate,
                String notice);

        static native TemplateInstance unitForm(UnitPages.UnitForm form);

        /** Asks before start, stop, load, unload or destroy; {@code error} why it was refused, or null. */
        static native TemplateInstance confirm(UnitView unit, String action, String error);
    }

    /** fleetctl's verbs and the target state each sets; destroy removes the unit. */
    static final Map<String, String> ACTIONS =
            Map.of("start", "launched", "stop", "loaded", "load", "loaded", "unload", "inactive", "destroy", "");

    @Inject
    UnitService units;

    @Inject
    RolloutService rollouts;

    @Inject
    UnitLive live;

    @Inject
    Hostnames hosts;

    @Inject
    Actor actor;

    @Inject
    dev.flotilla.service.tenant.Concurrency concurrency;

    @Inject
    dev.flotilla.service.tenant.LimitsConfig limits;

    @Inject
    dev.flotilla.service.org.OrgService orgs;

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    public TemplateInstance list(@QueryParam("cursor") String cursor) {
        UUID org = actor.orgId();
        Page<UnitView> page = units.list(org, cursor, 100);
        Map<String, String> names =
                hosts.of(org, page.items().stream().map(UnitView::machineId).toList());
        return Templates.units(page, names, actor.has(Role.OPERATOR));
    }

    @GET
    @Path("{name}")
    @RolesAllowed(Role.VIEWER_NAME)
    public TemplateInstance unit(@PathParam("name") String name, @QueryParam("done") String done) {
        UUID org = actor.orgId();
        UnitView unit = units.get(org, name);
        String notice = done == null || !ACTIONS.containsKey(done) ? null : noticeFor(done, unit);
        var rollout = rollouts.latest(org, name).orElse(null);
        List<String> named = new java.util.ArrayList<>();
        named.add(unit.machineId());
        if (rollout != null) {
            rollout.machines().forEach(m -> named.add(m.machineId()));
        }
        return Templates.unit(
                unit,
                options(unit.name(), unit.content()),
                live.snapshot(org, name),
                rollout,
                rollout == null ? null : RolloutBatches.of(rollout),
                hosts.of(org, named),
                actor.has(Role.OPERATOR),
                notice);
    }

    @GET
    @Path("new")
    @RolesAllowed(Role.OPERATOR_NAME)
    public TemplateInstance create() {
        return Templates.unitForm(new UnitForm(false, "", "", "launched", null, null, null));
    }

    @GET
    @Path("{name}/edit")
    @RolesAllowed(Role.OPERATOR_NAME)
    public TemplateInstance edit(@PathParam("name") String name) {
        UnitView unit = units.get(actor.orgId(), name);
        return Templates.unitForm(
                new UnitForm(true, unit.name(), unit.content(), unit.target(), null, null, rolloutHint(unit)));
    }

    /**
     * The submit/edit form's target. "check" shows what the unit would be (its [X-Fleet] rules in
     * words) or why it is refused, and saves nothing; "save" saves it when it is valid and shows
     * the form again with the reason when not.
     */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Role.OPERATOR_NAME)
    public Response save(
            @RestForm String name,
            @RestForm String content,
            @RestForm String target,
            @RestForm String intent,
            @RestForm boolean existing) {
        UUID org = actor.orgId();
        String n = name == null ? "" : name.strip();
        String c = content == null ? "" : content.replace("\r\n", "\n");
        String t = target == null || target.isBlank() ? "launched" : target;
        NewUnit body = new NewUnit(c, t, null);
        try {
            UnitService.Checked checked = units.check(org, n, body);
            if (!existing && units.find(org, n).isPresent()) {
                throw ProblemException.conflict("a unit named " + n + " exists already: edit it instead");
            }
            if (!"save".equals(intent)) {
                List<String> lines = UnitOptions.describe(checked.requirements());
                return Response.ok(Templates.unitForm(new UnitForm(existing, n, c, t, null, lines, null)))
                        .build();
            }
            units.put(org, n, body, actor.name());
            return Response.seeOther(URI.create("/units/" + enc(n))).build();
        } catch (ProblemException e) {
            return Response.status(e.status())
                    .entity(Templates.unitForm(new UnitForm(existing, n, c, t, e.getMessage(), null, null)))
                    .build();
        }
    }

    @GET
    @Path("{name}/confirm/{action}")
    @RolesAllowed(Role.OPERATOR_NAME)
    public TemplateInstance confirm(@PathParam("name") String name, @PathParam("action") String action) {
        if (!ACTIONS.containsKey(action)) {
            throw ProblemException.notFound("action " + action);
        }
        return Templates.confirm(units.get(actor.orgId(), name), action, null);
    }

    /** Carries out a confirmed action; a refusal (a rollout in progress, say) shows the confirmation again. */
    @POST
    @Path("{name}/{action}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Role.OPERATOR_NAME)
    public Response act(@PathParam("name") String name, @PathParam("action") String action) {
        UUID org = actor.orgId();
        UnitView unit = units.get(org, name);
        try {
            switch (action) {
                case "destroy" -> {
                    units.destroy(org, name);
                    return Response.seeOther(URI.create("/units")).build();
                }
                case "pause", "resume" -> rollouts.setPaused(org, name, action.equals("pause"));
                default -> {
                    String target = ACTIONS.get(action);
                    if (target == null) {
                        throw ProblemException.notFound("action " + action);
                    }
                    units.target(org, name, target, actor.name());
                }
            }
            return Response.seeOther(URI.create("/units/" + enc(name) + "?done=" + action))
                    .build();
        } catch (ProblemException e) {
            if (e.status() == 404) {
                throw e;
            }
            return Response.status(e.status())
                    .entity(Templates.confirm(unit, action, e.getMessage()))
                    .build();
        }
    }

    @GET
    @Path("{name}/live")
    @RolesAllowed(Role.VIEWER_NAME)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @io.smallrye.common.annotation.Blocking // the 404 check reads the database
    public Multi<UnitLive.Snapshot> stream(@PathParam("name") String name) {
        UUID org = actor.orgId(); // read now: the stream outlives the request scope
        units.get(org, name);
        return LivePoll.held(
                LivePoll.changes(() -> live.snapshot(org, name), LivePoll.stillMember(actor, orgs)),
                concurrency,
                limits,
                actor);
    }

    private String noticeFor(String done, UnitView unit) {
        return switch (done) {
            case "pause" -> "Rollout paused: no new batch starts.";
            case "resume" -> "Rollout resumed.";
            default -> "Target set to " + unit.target() + ".";
        };
    }

    private static String rolloutHint(UnitView unit) {
        return unit.global() && unit.placed() > 0
                ? "This unit runs on " + unit.placed() + " machine(s): a new file goes out as a rollout, in batches"
                        + " gated on health, and is reverted if it fails."
                : null;
    }

    static List<String> options(String name, String content) {
        try {
            return UnitOptions.describe(FleetRequirements.of(UnitFile.parse(content), name));
        } catch (UnitFile.SyntaxException e) {
            return List.of(); // stored units always parse
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The submit/edit form, echoed back with the check's outcome. */
    public record UnitForm(
            boolean existing,
            String name,
            String content,
            String target,
            String error,
            List<String> checked,
            String hint) {}
}
