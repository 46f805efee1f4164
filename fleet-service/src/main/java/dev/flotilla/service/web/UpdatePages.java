package dev.flotilla.service.web;

import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
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

import dev.flotilla.api.rest.Page;
import dev.flotilla.api.rest.UpdatePolicyView;
import dev.flotilla.api.rest.UpdatePolicyView.OpenPeriod;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;
import dev.flotilla.service.updates.FleetLockService;
import dev.flotilla.service.updates.LeaseActions;
import dev.flotilla.service.updates.LeaseService;
import dev.flotilla.service.updates.MachineUpdateService;
import dev.flotilla.service.updates.UpdatePolicyService;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Multi;

/**
 * The dashboard's update pages: policies with whether they are open and their next window; one
 * policy with a calendar of the next 7 days, its settings and its leases (live), pause (with a
 * reason) and resume; create, edit (with a preview) and delete (after a confirmation). Changes go
 * through the API's service methods and need the operator role, as in the API.
 */
@Path("/updates")
@Produces(MediaType.TEXT_HTML)
public class UpdatePages {

    /** This group's pages: templates/updates/ in the web-ui module; the layout shows who is signed in. */
    @CheckedTemplate(basePath = "updates")
    static class Templates {
        /**
         * The update policies; for admins also the FleetLock base URLs ({@code fleetLock}, null for
         * others) and a URL just created, shown once ({@code createdUrl}, or null).
         */
        static native TemplateInstance updates(
                dev.flotilla.api.rest.UpdatePolicyView fallback,
                Page<dev.flotilla.api.rest.UpdatePolicyView> page,
                List<dev.flotilla.api.rest.FleetLockUrlView> fleetLock,
                String createdUrl,
                boolean canOperate);

        /** The create/edit form with its windows editor; {@code zones} the time zone ids to pick from. */
        static native TemplateInstance policyForm(PolicyForm form, List<String> zones);

        /** Asks before deleting a policy; {@code error} why it was refused, or null. */
        static native TemplateInstance deletePolicy(dev.flotilla.api.rest.UpdatePolicyView policy, String error);

        /** Asks before cancelling a policy's updates. */
        static native TemplateInstance cancelUpdates(dev.flotilla.api.rest.UpdatePolicyView policy);

        /** Asks before revoking a FleetLock base URL. */
        static native TemplateInstance revokeFleetLock(String id);

        /** One update policy: {@code calendar} the next days hour by hour in {@code zone}. */
        static native TemplateInstance updatePolicy(
                dev.flotilla.api.rest.UpdatePolicyView policy,
                List<UpdatePages.Day> calendar,
                String zone,
                Page<dev.flotilla.api.rest.UpdateLeaseView> leases,
                Page<dev.flotilla.api.rest.MachineUpdateView> machines,
                boolean canOperate,
                String reason,
                String pauseError);
    }

    static final int CALENDAR_DAYS = 7;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEE d MMM");

    @Inject
    UpdatePolicyService policies;

    @Inject
    LeaseService leases;

    @Inject
    LeaseActions actions;

    @Inject
    MachineUpdateService updates;

    @Inject
    UpdateLive live;

    @Inject
    PolicyFormPosts forms;

    @Inject
    FleetLockService fleetLock;

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
        return Templates.updates(
                policies.defaultView(org), policies.list(org, cursor, 100), fleetLockUrls(), null, canOperate());
    }

    /** A new FleetLock base URL (admins): the page shows it once. */
    @POST
    @Path("fleetlock")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Role.ADMIN_NAME)
    @org.jboss.resteasy.reactive.ResponseHeader(name = "Cache-Control", value = "no-store")
    public TemplateInstance createFleetLockUrl(@jakarta.ws.rs.core.Context jakarta.ws.rs.core.UriInfo uri) {
        UUID org = actor.orgId();
        FleetLockService.CreatedSecret created = fleetLock.create(org, actor.name());
        String url = uri.getBaseUriBuilder()
                .path("fleetlock")
                .path(created.secret())
                .build()
                .toString();
        return Templates.updates(
                policies.defaultView(org), policies.list(org, null, 100), fleetLockUrls(), url, canOperate());
    }

    @GET
    @Path("fleetlock/{id}/revoke")
    @RolesAllowed(Role.ADMIN_NAME)
    public TemplateInstance confirmRevoke(@PathParam("id") String id) {
        boolean known = fleetLock.list(actor.orgId()).stream().anyMatch(s -> s.id().equals(id));
        if (!known) {
            throw ProblemException.notFound("FleetLock URL " + id);
        }
        return Templates.revokeFleetLock(id);
    }

    @POST
    @Path("fleetlock/{id}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Role.ADMIN_NAME)
    public Response revoke(@PathParam("id") String id) {
        fleetLock.revoke(actor.orgId(), id, actor.name());
        return Response.seeOther(URI.create("/updates")).build();
    }

    private List<dev.flotilla.api.rest.FleetLockUrlView> fleetLockUrls() {
        return actor.has(Role.ADMIN) ? fleetLock.list(actor.orgId()) : null;
    }

    @GET
    @Path("{name}")
    @RolesAllowed(Role.VIEWER_NAME)
    public TemplateInstance policy(@PathParam("name") String name, @QueryParam("tz") String tz) {
        return policyPage(name, tz, null, null);
    }

    private TemplateInstance policyPage(String name, String tz, String reason, String pauseError) {
        UUID org = actor.orgId();
        UpdatePolicyView p = policies.view(org, name);
        ZoneId zone = zone(tz, p);
        return Templates.updatePolicy(
                p,
                calendar(org, name, zone),
                zone.getId(),
                live.leases(org, name),
                updates.machinesOf(org, name, null, UpdateLive.MACHINES),
                canOperate() && p.id() != null,
                reason,
                pauseError);
    }

    @GET
    @Path("new")
    @RolesAllowed(Role.OPERATOR_NAME)
    public TemplateInstance create() {
        return Templates.policyForm(PolicyForm.blank(), PolicyFormPosts.ZONES);
    }

    @GET
    @Path("{name}/edit")
    @RolesAllowed(Role.OPERATOR_NAME)
    public TemplateInstance edit(@PathParam("name") String name) {
        return Templates.policyForm(PolicyForm.of(stored(name)), PolicyFormPosts.ZONES);
    }

    /** The new policy form's target: see {@link PolicyFormPosts}. */
    @POST
    @Path("new")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Role.OPERATOR_NAME)
    public Response createPosted(@BeanParam PolicyFormPosts.Fields fields) {
        return forms.submit(fields.form(false, null), fields.intent, null);
    }

    /** The edit form's target: see {@link PolicyFormPosts}. */
    @POST
    @Path("{name}/edit")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Role.OPERATOR_NAME)
    public Response editPosted(@PathParam("name") String name, @BeanParam PolicyFormPosts.Fields fields) {
        UpdatePolicyView p = stored(name);
        return forms.submit(fields.form(true, p), fields.intent, name);
    }

    @GET
    @Path("{name}/delete")
    @RolesAllowed(Role.OPERATOR_NAME)
    public TemplateInstance confirmDelete(@PathParam("name") String name) {
        return Templates.deletePolicy(stored(name), null);
    }

    /** Deletes a policy after its confirmation; a refusal (live leases) shows the confirmation again. */
    @POST
    @Path("{name}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Role.OPERATOR_NAME)
    public Response delete(@PathParam("name") String name) {
        UpdatePolicyView p = stored(name);
        try {
            policies.delete(actor.orgId(), name, actor.name());
            return Response.seeOther(URI.create("/updates")).build();
        } catch (ProblemException e) {
            return Response.status(e.status())
                    .entity(Templates.deletePolicy(p, e.getMessage()))
                    .build();
        }
    }

    /** A policy that can be changed (not {@code default}), or 404. */
    private UpdatePolicyView stored(String name) {
        UpdatePolicyView p = policies.view(actor.orgId(), name);
        if (p.id() == null) {
            throw ProblemException.notFound("update policy " + name);
        }
        return p;
    }

    private boolean canOperate() {
        return actor.has(Role.OPERATOR);
    }

    @GET
    @Path("{name}/cancel")
    @RolesAllowed(Role.OPERATOR_NAME)
    public TemplateInstance confirmCancel(@PathParam("name") String name) {
        UpdatePolicyView p = policies.view(actor.orgId(), name);
        if (p.id() == null) {
            throw ProblemException.notFound("update policy " + name);
        }
        return Templates.cancelUpdates(p);
    }

    @POST
    @Path("{name}/cancel")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Role.OPERATOR_NAME)
    public Response cancel(@PathParam("name") String name) {
        actions.cancel(actor.orgId(), name, actor.name());
        return Response.seeOther(URI.create("/updates/" + name)).build();
    }

    @POST
    @Path("{name}/{action:pause|resume}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Role.OPERATOR_NAME)
    public Response pauseOrResume(
            @PathParam("name") String name, @PathParam("action") String action, @RestForm String reason) {
        boolean pause = action.equals("pause");
        try {
            policies.setPaused(actor.orgId(), name, pause, pause ? reason : null, actor.name());
        } catch (ProblemException e) {
            if (e.status() == 404) {
                throw e;
            }
            return Response.status(e.status())
                    .entity(policyPage(name, null, reason, e.getMessage()))
                    .build();
        }
        return Response.seeOther(URI.create("/updates/" + name)).build();
    }

    @GET
    @Path("{name}/live")
    @RolesAllowed(Role.VIEWER_NAME)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @io.smallrye.common.annotation.Blocking // the 404 check reads the database
    public Multi<UpdateLive.Snapshot> stream(@PathParam("name") String name) {
        UUID org = actor.orgId();
        policies.view(org, name);
        return LivePoll.held(
                LivePoll.changes(() -> live.snapshot(org, name), LivePoll.stillMember(actor, orgs)),
                concurrency,
                limits,
                actor);
    }

    /** One day of the calendar: 24 hours, each open (a window covers part of it) or not. */
    public record Day(String label, List<Hour> hours) {}

    /** One hour of the calendar; {@code title} says when the windows in it open and close. */
    public record Hour(int hour, boolean open, String title) {}

    private List<Day> calendar(UUID org, String name, ZoneId zone) {
        LocalDate today = LocalDate.now(zone);
        Instant from = today.atStartOfDay(zone).toInstant();
        Instant to = today.plusDays(CALENDAR_DAYS).atStartOfDay(zone).toInstant();
        List<OpenPeriod> open = policies.openPeriods(org, name, from, to);
        DateTimeFormatter hm = DateTimeFormatter.ofPattern("HH:mm").withZone(zone);
        List<Day> days = new ArrayList<>();
        for (int d = 0; d < CALENDAR_DAYS; d++) {
            LocalDate date = today.plusDays(d);
            List<Hour> hours = new ArrayList<>();
            for (int h = 0; h < 24; h++) {
                // Hours by the wall clock of the zone; a day the clocks go forward shows an hour
                // that does not exist as closed, one they go back folds two into one cell.
                Instant start = date.atTime(h, 0).atZone(zone).toInstant();
                Instant end = h == 23
                        ? date.plusDays(1).atStartOfDay(zone).toInstant()
                        : date.atTime(h + 1, 0).atZone(zone).toInstant();
                String title = null;
                for (OpenPeriod o : open) {
                    if (o.from().isBefore(end) && o.to().isAfter(start)) {
                        title = "open " + hm.format(o.from()) + "–" + hm.format(o.to());
                        break;
                    }
                }
                hours.add(new Hour(h, title != null, title));
            }
            days.add(new Day(DAY.format(date), hours));
        }
        return days;
    }

    private static ZoneId zone(String tz, UpdatePolicyView p) {
        String name = tz != null && !tz.isBlank()
                ? tz
                : p.windows().isEmpty() || p.windows().get(0).timeZone() == null
                        ? "UTC"
                        : p.windows().get(0).timeZone();
        try {
            return name.equals("UTC") ? ZoneOffset.UTC : ZoneId.of(name);
        } catch (java.time.DateTimeException e) {
            throw ProblemException.badRequest("unknown time zone \"" + name + "\"");
        }
    }
}
