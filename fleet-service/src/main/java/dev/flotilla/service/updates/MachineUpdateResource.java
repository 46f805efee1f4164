package dev.flotilla.service.updates;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.rest.MachineUpdateView;
import dev.flotilla.api.rest.MachineView;
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

    @POST
    @Path("/pause")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(summary = "Pause updates for one machine: it gets no lease until resumed (role: operator)")
    public MachineUpdateView pause(@PathParam("id") String id) {
        return setPaused(id, true);
    }

    @POST
    @Path("/resume")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(summary = "Resume updates for one machine (role: operator)")
    public MachineUpdateView resume(@PathParam("id") String id) {
        return setPaused(id, false);
    }

    private MachineUpdateView setPaused(String id, boolean paused) {
        MachineView m = machines.get(actor.orgId(), id);
        updates.setMachinePaused(actor.orgId(), m.id(), paused, actor.name());
        return updates.machine(actor.orgId(), m.id(), m.labels());
    }
}
