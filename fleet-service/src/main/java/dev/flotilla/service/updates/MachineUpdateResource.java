package dev.flotilla.service.updates;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.rest.MachineUpdateView;
import dev.flotilla.api.rest.MachineView;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.machine.MachineService;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;

/**
 * One machine's update status and pause. Its own root (not under UpdateResource's /api/v1):
 * JAX-RS picks the root resource with the longest literal path first and never falls back, so
 * /api/v1/machines/{id}/update must be a root of its own beside the machines resource.
 */
@Path("/api/v1/machines/{id}/update")
@Tag(name = "Updates")
@Produces(MediaType.APPLICATION_JSON)
public class MachineUpdateResource {
    @Inject
    MachineUpdateService updates;

    @Inject
    MachineService machines;

    @Inject
    Actor actor;

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(
            summary = "A machine's update status: its policy, whether it may update now, if not why and when it may"
                    + " (role: viewer)")
    public MachineUpdateView machine(@PathParam("id") String id) {
        MachineView m = machines.get(actor.orgId(), id);
        return updates.machine(actor.orgId(), m.id(), m.labels());
    }

    @PUT
    @Path("/paused")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(summary = "Pause or resume updates for one machine: {\"paused\": true} (role: operator)")
    public MachineUpdateView pauseMachine(@PathParam("id") String id, dev.flotilla.api.rest.MachinePause body) {
        if (body == null || body.paused() == null) {
            throw ProblemException.badRequest("{\"paused\": true|false} is required");
        }
        MachineView m = machines.get(actor.orgId(), id);
        updates.setMachinePaused(actor.orgId(), m.id(), body.paused(), actor.name());
        return updates.machine(actor.orgId(), m.id(), m.labels());
    }
}
