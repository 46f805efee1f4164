package dev.flotilla.service.updates;

import java.net.URI;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.rest.MachineUpdateView;
import dev.flotilla.api.rest.NewUpdatePolicy;
import dev.flotilla.api.rest.Page;
import dev.flotilla.api.rest.UpdateLeaseView;
import dev.flotilla.api.rest.UpdatePolicyView;
import dev.flotilla.service.common.Paging;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;

/** Update policies (windows and limits), leases, machines' update status, FleetLock URLs. */
@Path("/api/v1")
@Tag(name = "Updates")
@Produces(MediaType.APPLICATION_JSON)
public class UpdateResource {
    @Inject
    UpdatePolicyService policies;

    @Inject
    LeaseService leases;

    @Inject
    LeaseActions actions;

    @Inject
    MachineUpdateService updates;

    @Inject
    FleetLockService fleetLock;

    @Inject
    Actor actor;

    @GET
    @Path("/update-policies")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(
            summary = "Update policies by name, each with whether it is open now and its next windows (role: viewer)")
    public Page<UpdatePolicyView> list(@QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
        return policies.list(actor.orgId(), cursor, Paging.limit(limit));
    }

    @POST
    @Path("/update-policies")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(
            summary = "Create an update policy: a label selector, windows (weekly or cron, each with a length and an"
                    + " IANA time zone), maxParallel, maxPerPeriod per period, updateTimeout, safe mode (role:"
                    + " operator; 409 when the name exists)")
    @APIResponse(
            responseCode = "201",
            description = "Created.",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = dev.flotilla.api.rest.UpdatePolicyView.class)))
    @APIResponse(
            responseCode = "409",
            description = "A policy of that name exists.",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    public Response create(NewUpdatePolicy body) {
        UpdatePolicyView created = policies.create(actor.orgId(), body, actor.name());
        return Response.created(URI.create("/api/v1/update-policies/" + created.name()))
                .entity(created)
                .build();
    }

    @GET
    @Path("/update-policies/{name}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "One update policy, with its next windows and current use (role: viewer)")
    public UpdatePolicyView get(@PathParam("name") String name) {
        return policies.view(actor.orgId(), name);
    }

    @PUT
    @Path("/update-policies/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(summary = "Replace an update policy's settings (role: operator)")
    public UpdatePolicyView replace(@PathParam("name") String name, NewUpdatePolicy body) {
        return policies.replace(actor.orgId(), name, body, actor.name());
    }

    @DELETE
    @Path("/update-policies/{name}")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(summary = "Delete an update policy (role: operator; 409 while it has live leases)")
    @APIResponse(responseCode = "204", description = "Deleted.")
    @APIResponse(
            responseCode = "409",
            description = "The policy has live leases: release them or wait for them to end.",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    public Response delete(@PathParam("name") String name) {
        policies.delete(actor.orgId(), name, actor.name());
        return Response.noContent().build();
    }

    @POST
    @Path("/update-policies/{name}/pause")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(
            summary = "Pause updates for the policy's machines: no new lease; an optional body {\"reason\": \"...\"}"
                    + " is kept in pausedReason (role: operator)")
    public UpdatePolicyView pause(@PathParam("name") String name, dev.flotilla.api.rest.Pause body) {
        return policies.setPaused(actor.orgId(), name, true, body == null ? null : body.reason(), actor.name());
    }

    @POST
    @Path("/update-policies/{name}/resume")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(summary = "Resume updates; safe mode starts over with one machine (role: operator)")
    public UpdatePolicyView resume(@PathParam("name") String name) {
        return policies.setPaused(actor.orgId(), name, false, null, actor.name());
    }

    @POST
    @Path("/update-policies/{name}/cancel")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(
            summary = "Cancel the policy's updates: pause it and release every live lease (machines in the middle"
                    + " of their update command finish it; none starts until resumed) (role: operator)")
    public UpdatePolicyView cancel(@PathParam("name") String name) {
        return actions.cancel(actor.orgId(), name, actor.name());
    }

    @GET
    @Path("/update-policies/{name}/leases")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(
            summary = "The policy's leases, newest first: its timeline (\"default\" for machines no policy matches)"
                    + " (role: viewer)")
    public Page<UpdateLeaseView> policyLeases(
            @PathParam("name") String name, @QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
        return leases.leases(actor.orgId(), name, cursor, Paging.limit(limit));
    }

    @GET
    @Path("/update-policies/{name}/machines")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(
            summary = "The machines that follow the policy, each with its update progress (idle, pending,"
                    + " waiting_for_window, on_hold, paused, granted, updating, rebooting, complete, failed,"
                    + " timed_out) and why; by hostname, paginated like /machines (a page may hold fewer than"
                    + " limit: machines a policy of lower priority takes are left out) (role: viewer)")
    public Page<MachineUpdateView> policyMachines(
            @PathParam("name") String name, @QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
        return updates.machinesOf(actor.orgId(), name, cursor, Paging.limit(limit));
    }

    @POST
    @Path("/update-leases/{id}/release")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(summary = "Release a live lease by hand, recorded with who did it (role: operator; 409 when it ended)")
    @APIResponse(
            responseCode = "409",
            description = "The lease has ended already.",
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
                            schema = @Schema(implementation = dev.flotilla.api.rest.UpdateLeaseView.class)))
    public UpdateLeaseView release(@PathParam("id") String id) {
        return actions.release(actor.orgId(), id, actor.name());
    }

    @POST
    @Path("/fleetlock-urls")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(
            summary = "A new FleetLock base URL for Zincati's fleet_lock strategy (shown once; the secret in it is"
                    + " the organization's credential) (role: admin)")
    @APIResponse(
            responseCode = "201",
            description = "The FleetLock base URL, shown once.",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = dev.flotilla.api.rest.CreatedFleetLockUrl.class)))
    public Response createFleetLockUrl(@Context UriInfo uri) {
        FleetLockService.CreatedSecret s = fleetLock.create(actor.orgId(), actor.name());
        String url = uri.getBaseUriBuilder()
                .path("fleetlock")
                .path(s.secret())
                .build()
                .toString();
        return Response.created(URI.create("/api/v1/fleetlock-urls/" + s.id()))
                .entity(new dev.flotilla.api.rest.CreatedFleetLockUrl(s.id(), url))
                .build();
    }

    @GET
    @Path("/fleetlock-urls")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(summary = "FleetLock base URLs (without their secrets), newest first (role: admin)")
    public List<dev.flotilla.api.rest.FleetLockUrlView> fleetLockUrls() {
        return fleetLock.list(actor.orgId());
    }

    @DELETE
    @Path("/fleetlock-urls/{id}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(summary = "Revoke a FleetLock base URL: its requests get 404 from now on (role: admin)")
    @APIResponse(responseCode = "204", description = "Revoked.")
    public Response revokeFleetLockUrl(@PathParam("id") String id) {
        fleetLock.revoke(actor.orgId(), id, actor.name());
        return Response.noContent().build();
    }
}
