package dev.flotilla.service.org;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.rest.CreatedInvitation;
import dev.flotilla.api.rest.InvitationView;
import dev.flotilla.api.rest.NewInvitation;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;

@Path("/api/v1/invitations")
@Tag(name = "Members")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN_NAME)
public class InvitationResource {
    @Inject
    InvitationService invitations;

    @Inject
    Actor actor;

    @Context
    UriInfo uri;

    @GET
    @Operation(summary = "The organization's invitations, newest first (role: admin)")
    public List<InvitationView> list() {
        return invitations.list(actor.orgId());
    }

    @POST
    @Operation(
            summary =
                    "Invite a person by email; the link (with its secret) is in this response only (role: admin; owner to invite an owner)")
    @APIResponse(
            responseCode = "201",
            description = "The invitation; its link is in this answer only.",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = dev.flotilla.api.rest.CreatedInvitation.class)))
    public Response create(NewInvitation request) {
        CreatedInvitation created = invitations.create(
                actor.orgId(), actor.name(), actor.vouchedBy(), actor.role(), request, uri.getBaseUri());
        return Response.created(
                        URI.create("/api/v1/invitations/" + created.invitation().id()))
                .entity(created)
                .build();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One invitation (role: admin)")
    public InvitationView get(@PathParam("id") UUID id) {
        return invitations.get(actor.orgId(), id);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Revoke a pending invitation; its link stops working (role: admin)")
    public InvitationView revoke(@PathParam("id") UUID id) {
        return invitations.revoke(actor.orgId(), id, actor.name());
    }
}
