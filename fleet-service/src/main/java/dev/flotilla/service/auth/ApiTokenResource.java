package dev.flotilla.service.auth;

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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.rest.ApiTokenView;
import dev.flotilla.api.rest.CreatedApiToken;
import dev.flotilla.api.rest.NewApiToken;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;

@Path("/api/v1/tokens")
@Tag(name = "API tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN_NAME)
public class ApiTokenResource {
    @Inject
    ApiTokenService tokens;

    @Inject
    Actor actor;

    @GET
    @Operation(summary = "List the organization's API tokens (role: admin)")
    public List<ApiTokenView> list() {
        return tokens.list(actor.orgId());
    }

    @POST
    @Operation(summary = "Create an API token; its secret is in this response only (role: admin)")
    @APIResponse(
            responseCode = "201",
            description = "The token; its secret is in this answer only.",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = dev.flotilla.api.rest.CreatedApiToken.class)))
    @APIResponse(
            responseCode = "409",
            description = "The token would be more than the allowed number of tokens away from a person.",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    public Response create(NewApiToken request) {
        CreatedApiToken created = tokens.create(actor.orgId(), actor.name(), actor.role(), request);
        return Response.created(URI.create("/api/v1/tokens/" + created.token().id()))
                .entity(created)
                .build();
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Revoke an API token; it stops working at once (role: admin)")
    public ApiTokenView revoke(@PathParam("id") UUID id) {
        return tokens.revoke(actor.orgId(), id, actor.name());
    }
}
