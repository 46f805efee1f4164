package dev.flotilla.service.org;

import java.net.URI;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.rest.AcceptInvitation;
import dev.flotilla.api.rest.NewOrg;
import dev.flotilla.api.rest.OrgView;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.TenantContext;

/**
 * A person's organizations. These operations are for people (signed in to the dashboard, or with a
 * Keycloak token); an API token belongs to one organization and gets 403 here, except for reading
 * its own.
 */
@Path("/api/v1/orgs")
@Tag(name = "Organizations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class OrgResource {
    @Inject
    OrgService orgs;

    @Inject
    InvitationService invitations;

    @Inject
    TenantContext tenant;

    @Inject
    Actor actor;

    @GET
    @RolesAllowed({Actor.PERSON, "viewer"})
    @Operation(
            summary = "The caller's organizations (role: any member; a token sees its own)",
            description = "Send the header Flotilla-Org: <slug> to act in another of them.")
    public List<OrgView> list() {
        if (!actor.isPerson()) {
            return orgs.tokenOrg(actor.orgId(), actor.role());
        }
        return tenant.unscoped(() -> orgs.views(actor.subject(), actor.org().orElse(null)));
    }

    @POST
    @RolesAllowed(Actor.PERSON)
    @Operation(summary = "Create an organization; the caller becomes its first owner (role: a signed-in person)")
    @APIResponse(
            responseCode = "201",
            description = "The organization, the caller its first owner.",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = dev.flotilla.api.rest.OrgView.class)))
    @APIResponse(
            responseCode = "409",
            description = "The slug is taken, or the caller owns as many organizations as allowed.",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    public Response create(NewOrg request) {
        OrgView created =
                tenant.unscoped(() -> orgs.create(actor.subject(), actor.displayName(), actor.email(), request));
        return Response.created(URI.create("/api/v1/orgs/" + created.slug()))
                .entity(created)
                .build();
    }

    @POST
    @Path("/join")
    @RolesAllowed(Actor.PERSON)
    @Operation(summary = "Accept an invitation: join its organization with its role (role: a signed-in person)")
    @APIResponse(
            responseCode = "409",
            description = "The caller is a member already.",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    @APIResponse(
            responseCode = "410",
            description = "The invitation was accepted, revoked, or expired.",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    @APIResponse(
            responseCode = "200",
            description = "OK",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = dev.flotilla.api.rest.OrgView.class)))
    @APIResponse(
            responseCode = "404",
            description = "No invitation with this secret.",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    public OrgView join(AcceptInvitation request) {
        if (request == null || request.secret() == null || request.secret().isBlank()) {
            throw ProblemException.badRequest("a body with the invitation's secret is required");
        }
        return tenant.unscoped(() ->
                invitations.accept(request.secret().strip(), actor.subject(), actor.displayName(), actor.email()));
    }
}
