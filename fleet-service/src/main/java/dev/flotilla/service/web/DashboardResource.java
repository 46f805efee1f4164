package dev.flotilla.service.web;

import java.net.URI;
import java.util.List;

import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestStreamElementType;

import dev.flotilla.api.rest.ContainerView;
import dev.flotilla.api.rest.MachineEventView;
import dev.flotilla.api.rest.MachineUnitView;
import dev.flotilla.api.rest.MachineView;
import dev.flotilla.api.rest.Page;
import dev.flotilla.api.selector.LabelSelector;
import dev.flotilla.api.selector.SelectorSyntaxException;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.machine.MachineService;
import dev.flotilla.service.machine.Presence;
import dev.flotilla.service.observed.ContainerStateService;
import dev.flotilla.service.observed.UnitStateService;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Multi;

/** The dashboard: server-rendered pages, live presence over SSE. */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class DashboardResource {

    /** This group's pages: templates/dashboard/ in the web-ui module; the layout shows who is signed in. */
    @CheckedTemplate(basePath = "dashboard")
    static class Templates {
        static native TemplateInstance login(boolean failed);

        static native TemplateInstance machines(
                MachineFilter filter, Page<MachineView> page, List<String> presences, long count, Integer changed);

        static native TemplateInstance machine(
                MachineView machine,
                Page<MachineEventView> events,
                Page<MachineUnitView> units,
                Page<ContainerView> containers,
                dev.flotilla.api.rest.MachineUpdateView update);
    }

    private static final List<String> PRESENCES = List.of("online", "offline", "lost");

    @Inject
    MachineService machines;

    @Inject
    dev.flotilla.service.updates.MachineUpdateService updates;

    @Inject
    PresenceFeed feed;

    @Inject
    OverviewPages overview;

    @Inject
    UnitStateService units;

    @Inject
    ContainerStateService containers;

    @Inject
    Actor actor;

    @Inject
    dev.flotilla.service.tenant.Concurrency concurrency;

    @Inject
    dev.flotilla.service.tenant.LimitsConfig limits;

    @Inject
    dev.flotilla.service.org.OrgService orgs;

    @Inject
    dev.flotilla.service.auth.SignIns signIns;

    @Inject
    dev.flotilla.service.common.AuthMode authMode;

    @GET
    @PermitAll
    public Response home() {
        if (actor.org().isEmpty()) {
            // A person who belongs to no organization yet starts by making one (or opens an
            // invitation link); anyone else signs in first.
            return Response.seeOther(URI.create(actor.isPerson() ? "/orgs/new" : "/login"))
                    .build();
        }
        return Response.ok(overview.page(actor.orgId())).build();
    }

    @GET
    @Path("login")
    @PermitAll
    public Response login(@QueryParam("next") String next, @jakarta.ws.rs.core.Context jakarta.ws.rs.core.UriInfo uri) {
        Response.ResponseBuilder r = authMode.keycloak()
                // Keycloak's sign-in page, by way of a path only the code flow may authenticate.
                ? Response.seeOther(URI.create("/oidc/login"))
                : Response.ok(Templates.login(false));
        String local = localPath(next);
        if (local != null) {
            // where to go after signing in (the form sign-in and /oidc/login follow this cookie)
            r.cookie(new NewCookie.Builder("quarkus-redirect-location")
                    .value(uri.getBaseUri().resolve(local).toString())
                    .path("/")
                    .httpOnly(true)
                    .sameSite(NewCookie.SameSite.LAX)
                    .build());
        }
        return r.build();
    }

    /** A path on this site (not another host, not the sign-in machinery), or null. */
    private static String localPath(String wanted) {
        if (wanted == null || wanted.isBlank()) {
            return null;
        }
        try {
            URI u = URI.create(wanted);
            String path = u.getRawPath();
            if (path == null || !path.startsWith("/") || path.startsWith("//") || path.startsWith("/oidc/")) {
                return null;
            }
            return path + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Where Keycloak's code flow lands (an HTTP permission in application.properties makes the
     * code flow authenticate this path). From here to the page the person wanted, if Flotilla's
     * own, else home.
     */
    @GET
    @Path("oidc/login")
    @PermitAll
    public Response oidcLogin(@jakarta.ws.rs.CookieParam("quarkus-redirect-location") String wanted) {
        String target = localPath(wanted);
        boolean orphan = actor.isPerson() && actor.org().isEmpty();
        if (actor.isPerson()) {
            signIns.record(actor.subject(), actor.displayName());
        }
        if (target == null || (orphan && !target.startsWith("/invitations/"))) {
            target = orphan ? "/orgs/new" : "/";
        }
        return Response.seeOther(URI.create(target))
                .cookie(new NewCookie.Builder("quarkus-redirect-location")
                        .path("/")
                        .maxAge(0)
                        .build())
                .build();
    }

    @GET
    @Path("login/failed")
    @PermitAll
    public TemplateInstance loginFailed() {
        return Templates.login(true);
    }

    @POST
    @Path("logout")
    @PermitAll
    public Response logout() {
        return Response.seeOther(URI.create("/login"))
                .cookie(new NewCookie.Builder("quarkus-credential")
                        .path("/")
                        .maxAge(0)
                        .httpOnly(true)
                        .build())
                .build();
    }

    @GET
    @Path("machines")
    @RolesAllowed(Role.VIEWER_NAME)
    public TemplateInstance machines(
            @QueryParam("selector") String selector,
            @QueryParam("presence") String presence,
            @QueryParam("q") String q,
            @QueryParam("os") String os,
            @QueryParam("agent") String agent,
            @QueryParam("cursor") String cursor,
            @QueryParam("changed") String changedParam) {
        // ?changed=N: the count a bulk change just made (a link, so a bad value is ignored, not refused)
        Integer changed =
                changedParam != null && changedParam.matches("[0-9]{1,5}") ? Integer.valueOf(changedParam) : null;
        // os and agent: the overview's links to the machines behind its counts.
        MachineFilter filter = new MachineFilter(selector, presence, q, os, agent);
        Page<MachineView> page;
        long count = 0;
        try {
            Presence p = Presence.fromQuery(presence);
            var query = new MachineService.MachineQuery(
                    actor.orgId(), LabelSelector.parse(selector), p, q, os, agent, cursor, 50);
            page = machines.list(query);
            // how many the filter selects, for the bulk label change (on every page, not only the first)
            count = page.items().isEmpty() && cursor == null ? 0 : machines.count(query);
        } catch (SelectorSyntaxException e) {
            filter = filter.refused("invalid label selector: " + e.getMessage());
            page = new Page<>(List.of(), null);
        } catch (ProblemException e) {
            filter = filter.refused(e.getMessage());
            page = new Page<>(List.of(), null);
        }
        return Templates.machines(filter, page, PRESENCES, count, changed);
    }

    @GET
    @Path("machines/{id}")
    @RolesAllowed(Role.VIEWER_NAME)
    public TemplateInstance machine(@PathParam("id") String id) {
        MachineView m = machines.get(actor.orgId(), id);
        return Templates.machine(
                m,
                machines.events(actor.orgId(), id, null, 50),
                units.units(actor.orgId(), id, null, UnitStateService.MAX_PAGE),
                containers.containers(actor.orgId(), id, null, UnitStateService.MAX_PAGE),
                updates.machine(actor.orgId(), m.id(), m.labels()));
    }

    @GET
    @Path("live/presence")
    @RolesAllowed(Role.VIEWER_NAME)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<LivePresence> presence() {
        return LivePoll.held(
                LivePoll.whileAllowed(
                        feed.of(actor.orgId())
                                .map(c -> new LivePresence(
                                        c.machineId(),
                                        c.hostname(),
                                        c.presence().wireName(),
                                        c.at().toString())),
                        LivePoll.stillMember(actor, orgs)),
                concurrency,
                limits,
                actor);
    }

    /** One presence change as the page's script reads it. */
    public record LivePresence(String id, String hostname, String presence, String at) {}
}
