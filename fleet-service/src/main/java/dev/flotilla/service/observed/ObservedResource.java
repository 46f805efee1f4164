package dev.flotilla.service.observed;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.rest.Page;
import dev.flotilla.api.rest.UnitEventView;
import dev.flotilla.api.rest.UnitView;
import dev.flotilla.api.unit.UnitNames;
import dev.flotilla.service.auth.Actor;
import dev.flotilla.service.auth.Role;
import dev.flotilla.service.common.Paging;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.machine.MachineService;

/** What a machine's agent reports of its units. */
@Path("/api/v1/machines/{id}")
@Tag(name = "Machines")
@SecurityRequirement(name = "bearer")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.VIEWER_NAME)
public class ObservedResource {
    @Inject
    UnitStateService units;

    @Inject
    MachineService machines;

    @Inject
    Actor actor;

    @GET
    @Path("/units")
    @Operation(summary = "The machine's units and their systemd states, by name (role: viewer)")
    public Page<UnitView> units(
            @PathParam("id") String id, @QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
        machines.get(actor.orgId(), id);
        return units.units(actor.orgId(), id, cursor, Paging.limit(limit));
    }

    @GET
    @Path("/unit-events")
    @Operation(summary = "Every unit transition the agent observed, newest first (role: viewer)")
    public Page<UnitEventView> events(
            @PathParam("id") String id, @QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
        machines.get(actor.orgId(), id);
        return units.history(actor.orgId(), id, null, cursor, Paging.limit(limit));
    }

    @GET
    @Path("/units/{name}/history")
    @Operation(summary = "One unit's transitions on this machine, newest first (role: viewer)")
    public Page<UnitEventView> history(
            @PathParam("id") String id,
            @PathParam("name") String name,
            @QueryParam("cursor") String cursor,
            @QueryParam("limit") String limit) {
        if (!UnitNames.isValid(name)) {
            throw ProblemException.badRequest("not a systemd unit name");
        }
        machines.get(actor.orgId(), id);
        return units.history(actor.orgId(), id, name, cursor, Paging.limit(limit));
    }
}
