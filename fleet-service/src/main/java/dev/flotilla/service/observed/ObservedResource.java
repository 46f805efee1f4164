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
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.rest.ContainerEventView;
import dev.flotilla.api.rest.ContainerView;
import dev.flotilla.api.rest.MachineUnitView;
import dev.flotilla.api.rest.Page;
import dev.flotilla.api.rest.UnitEventView;
import dev.flotilla.api.unit.UnitNames;
import dev.flotilla.service.common.Paging;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.machine.MachineService;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;

/** What a machine's agent reports of its units and containers. */
@Path("/api/v1/machines/{id}")
@Tag(name = "Machines")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.VIEWER_NAME)
public class ObservedResource {
    @Inject
    UnitStateService units;

    @Inject
    ContainerStateService containers;

    @Inject
    MachineService machines;

    @Inject
    Actor actor;

    @GET
    @Path("/units")
    @Operation(summary = "The machine's units and their systemd states, by name (role: viewer)")
    public Page<MachineUnitView> units(
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

    @GET
    @Path("/containers")
    @Operation(summary = "The machine's containers and their engine states, by name (role: viewer)")
    public Page<ContainerView> containers(
            @PathParam("id") String id, @QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
        machines.get(actor.orgId(), id);
        return containers.containers(actor.orgId(), id, cursor, Paging.limit(limit));
    }

    @GET
    @Path("/container-events")
    @Operation(summary = "Every container transition the agent observed, newest first (role: viewer)")
    public Page<ContainerEventView> containerEvents(
            @PathParam("id") String id, @QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
        machines.get(actor.orgId(), id);
        return containers.history(actor.orgId(), id, null, cursor, Paging.limit(limit));
    }

    @GET
    @Path("/containers/{container}/history")
    @Operation(
            summary = "One container's transitions on this machine, newest first; the container by id"
                    + " (12 or more hex digits) or name (role: viewer)")
    public Page<ContainerEventView> containerHistory(
            @PathParam("id") String id,
            @PathParam("container") String container,
            @QueryParam("cursor") String cursor,
            @QueryParam("limit") String limit) {
        if (!container.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,255}")) {
            throw ProblemException.badRequest("not a container id or name");
        }
        machines.get(actor.orgId(), id);
        return containers.history(actor.orgId(), id, container, cursor, Paging.limit(limit));
    }
}
