package dev.flotilla.service.desired;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.rest.DesiredStateView;
import dev.flotilla.api.rest.NewDesiredUnit;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;

/**
 * Units placed on one machine by hand. (The scheduler of fleet-style units places through the
 * same desired state.)
 */
@Path("/api/v1/machines/{id}/desired-units")
@Tag(name = "Machines")
@Produces(MediaType.APPLICATION_JSON)
public class DesiredStateResource {
    @Inject
    DesiredStateService desired;

    @Inject
    Actor actor;

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(
            summary =
                    "The units Flotilla wants on this machine, the generation, and what the agent made of it (role: viewer)")
    public DesiredStateView list(@PathParam("id") String id) {
        return desired.view(actor.orgId(), id);
    }

    @PUT
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(summary = "Create or replace a unit on this machine with its target state (role: operator)")
    @APIResponse(
            responseCode = "409",
            description = "The scheduler placed a unit of that name on the machine: change the unit instead.",
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
                            schema = @Schema(implementation = dev.flotilla.api.rest.DesiredStateView.class)))
    public DesiredStateView put(@PathParam("id") String id, @PathParam("name") String name, NewDesiredUnit unit) {
        return desired.put(actor.orgId(), id, name, unit, actor.name());
    }

    @DELETE
    @Path("/{name}")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(summary = "Stop the unit and remove its file from this machine (role: operator)")
    @APIResponse(
            responseCode = "409",
            description = "The scheduler placed the unit on the machine: unload or destroy the unit instead.",
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
                            schema = @Schema(implementation = dev.flotilla.api.rest.DesiredStateView.class)))
    public DesiredStateView remove(@PathParam("id") String id, @PathParam("name") String name) {
        return desired.remove(actor.orgId(), id, name);
    }
}
