package dev.flotilla.service.web;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import dev.flotilla.api.rest.CreatedApiToken;
import dev.flotilla.api.rest.CreatedInvitation;
import dev.flotilla.api.rest.NewApiToken;
import dev.flotilla.api.rest.NewInvitation;
import dev.flotilla.api.rest.NewOrg;
import dev.flotilla.api.rest.OrgView;
import dev.flotilla.api.rest.Page;
import dev.flotilla.service.audit.AuditLog;
import dev.flotilla.service.auth.ApiTokenService;
import dev.flotilla.service.auth.MembershipAugmentor;
import dev.flotilla.service.common.Paging;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.org.InvitationService;
import dev.flotilla.service.org.OrgService;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;
import dev.flotilla.service.tenant.TenantContext;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * The dashboard's organization pages: a new organization, the switcher, members and invitations,
 * API tokens and the audit log (admins), and the page an invitation link opens.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class OrgPages {

    /** This group's pages: templates/org/ in the web-ui module; the layout shows who is signed in. */
    @CheckedTemplate(basePath = "org")
    static class Templates {
        static native TemplateInstance orgNew(String slug, String name, String error);

        static native TemplateInstance members(
                List<dev.flotilla.api.rest.MemberView> members,
                List<dev.flotilla.api.rest.InvitationView> invitations,
                dev.flotilla.api.rest.CreatedInvitation created,
                String error,
                boolean owner);

        static native TemplateInstance removeMember(dev.flotilla.api.rest.MemberView member);

        static native TemplateInstance tokens(
                List<dev.flotilla.api.rest.ApiTokenView> tokens,
                dev.flotilla.api.rest.CreatedApiToken created,
                String error);

        static native TemplateInstance revokeToken(dev.flotilla.api.rest.ApiTokenView token);

        static native TemplateInstance audit(
                Page<dev.flotilla.api.rest.AuditEventView> page,
                dev.flotilla.service.audit.AuditLog.Filter filter,
                String error);

        static native TemplateInstance invitation(
                String signedInAs,
                String secret,
                dev.flotilla.service.org.InvitationService.Offer offer,
                boolean localSignup,
                String error);
    }

    @Inject
    OrgService orgs;

    @Inject
    InvitationService invitations;

    @Inject
    ApiTokenService tokens;

    @Inject
    dev.flotilla.service.auth.AccountService accounts;

    @Inject
    dev.flotilla.service.org.ServiceClients clients;

    @Inject
    AuditLog audit;

    @Inject
    TenantContext tenant;

    @Inject
    Actor actor;

    @Inject
    dev.flotilla.service.common.AuthMode authMode;

    @Context
    UriInfo uri;

    @GET
    @Path("orgs/new")
    @RolesAllowed(Actor.PERSON)
    public TemplateInstance newOrg() {
        return Templates.orgNew("", "", null);
    }

    @POST
    @Path("orgs/new")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Actor.PERSON)
    public Response createOrg(@FormParam("slug") String slug, @FormParam("name") String name) {
        try {
            OrgView created = tenant.unscoped(
                    () -> orgs.create(actor.subject(), actor.displayName(), actor.email(), new NewOrg(slug, name)));
            return switchTo(created.slug());
        } catch (ProblemException e) {
            return Response.status(e.status())
                    .entity(Templates.orgNew(slug, name, e.getMessage()))
                    .build();
        }
    }

    @POST
    @Path("orgs/switch")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Actor.PERSON)
    public Response switchOrg(@FormParam("org") String slug) {
        boolean member = tenant.unscoped(() -> orgs.of(actor.subject())).stream()
                .anyMatch(m -> m.slug().equals(slug));
        if (!member) {
            throw ProblemException.notFound("organization " + slug);
        }
        return switchTo(slug);
    }

    private Response switchTo(String slug) {
        return Response.seeOther(URI.create("/machines"))
                .cookie(new NewCookie.Builder(MembershipAugmentor.ORG_COOKIE)
                        .value(slug)
                        .path("/")
                        .httpOnly(true)
                        .secure("https".equals(uri.getBaseUri().getScheme()))
                        .sameSite(NewCookie.SameSite.STRICT)
                        .build())
                .build();
    }

    // --- members and invitations ------------------------------------------------------------

    @GET
    @Path("members")
    @RolesAllowed(Role.ADMIN_NAME)
    public TemplateInstance members() {
        return membersPage(null, null);
    }

    private TemplateInstance membersPage(CreatedInvitation created, String error) {
        UUID org = actor.orgId();
        return Templates.members(orgs.members(org), invitations.list(org), created, error, actor.has(Role.OWNER));
    }

    @POST
    @Path("members/invite")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Role.ADMIN_NAME)
    public Response invite(@FormParam("email") String email, @FormParam("role") String role) {
        try {
            CreatedInvitation created = invitations.create(
                    actor.orgId(),
                    actor.name(),
                    actor.vouchedBy(),
                    actor.role(),
                    new NewInvitation(email, role, null),
                    uri.getBaseUri());
            return Response.created(java.net.URI.create(
                            "/api/v1/invitations/" + created.invitation().id()))
                    .entity(membersPage(created, null))
                    .build();
        } catch (ProblemException e) {
            return Response.status(e.status())
                    .entity(membersPage(null, e.getMessage()))
                    .build();
        }
    }

    @POST
    @Path("members/invitations/{id}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Role.ADMIN_NAME)
    public Response revokeInvitation(@PathParam("id") UUID id) {
        invitations.revoke(actor.orgId(), id, actor.name());
        return Response.seeOther(URI.create("/members")).build();
    }

    @POST
    @Path("members/{id}/role")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Role.ADMIN_NAME)
    public Response changeRole(@PathParam("id") UUID id, @FormParam("role") String role) {
        try {
            clients.deleteAll(orgs.changeRole(actor.orgId(), id, role, actor.role(), actor.name())
                    .serviceAccountsRemoved());
            return Response.seeOther(URI.create("/members")).build();
        } catch (ProblemException e) {
            return Response.status(e.status())
                    .entity(membersPage(null, e.getMessage()))
                    .build();
        }
    }

    @GET
    @Path("members/{id}/remove")
    @RolesAllowed(Role.ADMIN_NAME)
    public TemplateInstance confirmRemove(@PathParam("id") UUID id) {
        return Templates.removeMember(orgs.member(actor.orgId(), id));
    }

    @POST
    @Path("members/{id}/remove")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Role.ADMIN_NAME)
    public Response remove(@PathParam("id") UUID id) {
        try {
            clients.deleteAll(
                    orgs.remove(actor.orgId(), id, actor.role(), actor.name()).serviceAccounts());
            return Response.seeOther(URI.create("/members")).build();
        } catch (ProblemException e) {
            return Response.status(e.status())
                    .entity(membersPage(null, e.getMessage()))
                    .build();
        }
    }

    // --- API tokens --------------------------------------------------------------------------

    @GET
    @Path("tokens")
    @RolesAllowed(Role.ADMIN_NAME)
    public TemplateInstance tokens() {
        return Templates.tokens(tokens.list(actor.orgId()), null, null);
    }

    @POST
    @Path("tokens")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Role.ADMIN_NAME)
    public Response createToken(
            @FormParam("name") String name, @FormParam("role") String role, @FormParam("days") String days) {
        try {
            Duration ttl;
            try {
                long d = days == null || days.isBlank() ? 30 : Long.parseLong(days.strip());
                if (d < 1 || d > 365) {
                    throw ProblemException.badRequest("days must be 1 to 365");
                }
                ttl = Duration.ofDays(d);
            } catch (NumberFormatException e) {
                throw ProblemException.badRequest("days must be a whole number");
            }
            CreatedApiToken created =
                    tokens.create(actor.orgId(), actor.name(), actor.role(), new NewApiToken(name, role, ttl));
            return Response.created(java.net.URI.create(
                            "/api/v1/tokens/" + created.token().id()))
                    .entity(Templates.tokens(tokens.list(actor.orgId()), created, null))
                    .build();
        } catch (ProblemException e) {
            return Response.status(e.status())
                    .entity(Templates.tokens(tokens.list(actor.orgId()), null, e.getMessage()))
                    .build();
        }
    }

    @GET
    @Path("tokens/{id}/revoke")
    @RolesAllowed(Role.ADMIN_NAME)
    public TemplateInstance confirmRevokeToken(@PathParam("id") UUID id) {
        var token = tokens.list(actor.orgId()).stream()
                .filter(t -> t.id().equals(id.toString()))
                .findFirst()
                .orElseThrow(() -> ProblemException.notFound("API token " + id));
        return Templates.revokeToken(token);
    }

    @POST
    @Path("tokens/{id}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Role.ADMIN_NAME)
    public Response revokeToken(@PathParam("id") UUID id) {
        tokens.revoke(actor.orgId(), id, actor.name());
        return Response.seeOther(URI.create("/tokens")).build();
    }

    // --- audit log ---------------------------------------------------------------------------

    @GET
    @Path("audit")
    @RolesAllowed(Role.ADMIN_NAME)
    public TemplateInstance audit(
            @QueryParam("actor") String who,
            @QueryParam("action") String action,
            @QueryParam("outcome") String outcome,
            @QueryParam("cursor") String cursor) {
        var filter = new AuditLog.Filter(blank(who), blank(action), null, null, blank(outcome), null);
        String error = null;
        dev.flotilla.api.rest.Page<dev.flotilla.api.rest.AuditEventView> page;
        try {
            page = audit.list(actor.orgId(), filter, cursor, Paging.DEFAULT);
        } catch (ProblemException e) {
            error = e.getMessage();
            page = new dev.flotilla.api.rest.Page<>(List.of(), null);
        }
        return Templates.audit(page, filter, error);
    }

    // --- invitation links ----------------------------------------------------------------------

    @GET
    @Path("invitations/{secret}")
    @PermitAll
    public TemplateInstance invitation(@PathParam("secret") String secret) {
        var found = tenant.unscoped(() -> invitations.peek(secret));
        return Templates.invitation(
                actor.isPerson() ? actor.displayName() : null, secret, found.orElse(null), !authMode.keycloak(), null);
    }

    @POST
    @Path("invitations/{secret}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Actor.PERSON)
    public Response accept(@PathParam("secret") String secret) {
        try {
            OrgView joined = tenant.unscoped(
                    () -> invitations.accept(secret, actor.subject(), actor.displayName(), actor.email()));
            return switchTo(joined.slug());
        } catch (ProblemException e) {
            var found = tenant.unscoped(() -> invitations.peek(secret));
            return Response.status(e.status())
                    .entity(Templates.invitation(
                            actor.displayName(), secret, found.orElse(null), false, e.getMessage()))
                    .build();
        }
    }

    /** Local accounts only: a new account for the invitee, member at once; then they sign in. */
    @POST
    @Path("invitations/{secret}/account")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @PermitAll
    public Response acceptWithNewAccount(
            @PathParam("secret") String secret,
            @FormParam("username") String username,
            @FormParam("password") String password) {
        if (authMode.keycloak()) {
            throw ProblemException.notFound("page");
        }
        try {
            tenant.unscoped(() -> accounts.createAndAccept(secret, username, password));
            return Response.seeOther(URI.create("/login?joined")).build();
        } catch (ProblemException e) {
            var found = tenant.unscoped(() -> invitations.peek(secret));
            return Response.status(e.status())
                    .entity(Templates.invitation(null, secret, found.orElse(null), true, e.getMessage()))
                    .build();
        }
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
