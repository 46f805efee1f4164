package dev.flotilla.service.units;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.rest.NewUnit;
import dev.flotilla.api.rest.Page;
import dev.flotilla.api.rest.RolloutView;
import dev.flotilla.api.rest.UnitTarget;
import dev.flotilla.api.rest.UnitView;
import dev.flotilla.service.common.Paging;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;

/** fleet's units: a unit file with [X-Fleet] placement rules and a target state, scheduled by Flotilla. */
@Path("/api/v1/units")
@Tag(name = "Units")
@Produces(MediaType.APPLICATION_JSON)
public class UnitResource {
    @Inject
    UnitService units;

    @Inject
    RolloutService rollouts;

    @Inject
    Actor actor;

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "Units by name, with where they run and how many machines report them active (role: viewer)")
    public Page<UnitView> list(@QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
        return units.list(actor.orgId(), cursor, Paging.limit(limit));
    }

    @GET
    @Path("/{name}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "One unit, with its file (role: viewer)")
    public UnitView get(@PathParam("name") String name) {
        return units.get(actor.orgId(), name);
    }

    @PUT
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(
            summary = "Create (201) or replace (200) a unit: content with an optional [X-Fleet] section, target"
                    + " inactive, loaded or launched (default); an instance may leave content out to take its"
                    + " template's (role: operator)")
    @APIResponse(
            responseCode = "200",
            description = "Replaced.",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = dev.flotilla.api.rest.UnitView.class)))
    @APIResponse(
            responseCode = "201",
            description = "Created.",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = dev.flotilla.api.rest.UnitView.class)))
    @APIResponse(
            responseCode = "409",
            description =
                    "A rollout of the unit is in progress, or the unit cannot be placed as its [X-Fleet] rules say.",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    public Response put(@PathParam("name") String name, NewUnit body) {
        UnitService.Saved saved = units.put(actor.orgId(), name, body, actor.name());
        return saved.created()
                ? Response.created(jakarta.ws.rs.core.UriBuilder.fromPath("/api/v1/units/{name}")
                                .build(name))
                        .entity(saved.unit())
                        .build()
                : Response.ok(saved.unit()).build();
    }

    @PATCH
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(summary = "Change a unit's target state: load, start, stop, unload (role: operator)")
    public UnitView target(@PathParam("name") String name, UnitTarget body) {
        return units.target(actor.orgId(), name, body == null ? null : body.target(), actor.name());
    }

    @GET
    @Path("/{name}/rollout")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(
            summary = "The unit's latest rollout (a new file for a global unit, given out in batches gated on"
                    + " health): its state, policy and every machine it reached (role: viewer)")
    public RolloutView rollout(@PathParam("name") String name) {
        units.get(actor.orgId(), name); // 404 for a unit that does not exist
        return rollouts.latest(actor.orgId(), name)
                .orElseThrow(() -> ProblemException.notFound("unit " + name + " has no rollout"));
    }

    @POST
    @Path("/{name}/rollout/pause")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(
            summary = "Pause the unit's rollout: no new batch starts; machines already reached keep the new file"
                    + " (role: operator; 409 unless running)")
    @APIResponse(
            responseCode = "409",
            description = "No rollout of the unit is running.",
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
                            schema = @Schema(implementation = dev.flotilla.api.rest.RolloutView.class)))
    public RolloutView pause(@PathParam("name") String name) {
        return rollouts.setPaused(actor.orgId(), name, true);
    }

    @POST
    @Path("/{name}/rollout/resume")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(summary = "Resume a paused rollout (role: operator; 409 unless paused)")
    @APIResponse(
            responseCode = "409",
            description = "No rollout of the unit is paused.",
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
                            schema = @Schema(implementation = dev.flotilla.api.rest.RolloutView.class)))
    public RolloutView resume(@PathParam("name") String name) {
        return rollouts.setPaused(actor.orgId(), name, false);
    }

    @DELETE
    @Path("/{name}")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(summary = "Destroy a unit: stopped and removed wherever it was placed (role: operator)")
    @APIResponse(responseCode = "204", description = "Destroyed: unscheduled from every machine.")
    public Response destroy(@PathParam("name") String name) {
        units.destroy(actor.orgId(), name);
        return Response.noContent().build();
    }
}
