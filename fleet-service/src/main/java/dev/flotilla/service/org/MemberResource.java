package dev.flotilla.service.org;

import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.rest.MemberChange;
import dev.flotilla.api.rest.MemberView;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;

@Path("/api/v1/members")
@Tag(name = "Members")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN_NAME)
public class MemberResource {
    @Inject
    OrgService orgs;

    @Inject
    Actor actor;

    @Inject
    ServiceClients clients;

    @GET
    @Operation(summary = "The organization's members (role: admin)")
    public List<MemberView> list() {
        return orgs.members(actor.orgId());
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One member (role: admin)")
    public MemberView get(@PathParam("id") UUID id) {
        return orgs.member(actor.orgId(), id);
    }

    @PATCH
    @Path("/{id}")
    @Operation(summary = "Change a member's role; only an owner makes or unmakes an owner (role: admin)")
    @APIResponse(
            responseCode = "409",
            description = "The last owner cannot step down.",
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
                            schema = @Schema(implementation = dev.flotilla.api.rest.MemberView.class)))
    public MemberView change(@PathParam("id") UUID id, MemberChange change) {
        OrgService.Changed changed =
                orgs.changeRole(actor.orgId(), id, change == null ? null : change.role(), actor.role(), actor.name());
        clients.deleteAll(changed.serviceAccountsRemoved());
        return changed.member();
    }

    @DELETE
    @Path("/{id}")
    @Operation(
            summary =
                    "Remove a member; their sessions and the API tokens they created are refused from their next request (role: admin)")
    @APIResponse(responseCode = "204", description = "Removed.")
    @APIResponse(
            responseCode = "409",
            description = "The last owner cannot be removed.",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    public Response remove(@PathParam("id") UUID id) {
        clients.deleteAll(
                orgs.remove(actor.orgId(), id, actor.role(), actor.name()).serviceAccounts());
        return Response.noContent().build();
    }
}
