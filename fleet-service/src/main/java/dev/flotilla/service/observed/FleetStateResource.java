package dev.flotilla.service.observed;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.rest.FleetState;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;

/**
 * fleet's unit state view, {@code GET /fleet/v1/state}, as coreos/fleet's Documentation/api-v1.md
 * describes it, served from what the agents report.
 */
@Path("/fleet/v1/state")
@Tag(name = "fleet v1")
@Produces(MediaType.APPLICATION_JSON)
public class FleetStateResource {
    /** fleet's page size. */
    static final int PAGE = 100;

    @Inject
    UnitStateService units;

    @Inject
    Actor actor;

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "fleet v1: the state of every unit on every machine (role: viewer)")
    public FleetState state(
            @QueryParam("machineID") String machineId,
            @QueryParam("unitName") String unitName,
            @QueryParam("nextPageToken") String pageToken) {
        return units.fleetState(actor.orgId(), machineId, unitName, pageToken, PAGE);
    }
}
