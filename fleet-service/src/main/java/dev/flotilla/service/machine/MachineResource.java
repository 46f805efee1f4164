package dev.flotilla.service.machine;

import java.util.HashMap;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.rest.CredentialRotationView;
import dev.flotilla.api.rest.MachineEventView;
import dev.flotilla.api.rest.MachineView;
import dev.flotilla.api.rest.Page;
import dev.flotilla.api.selector.LabelSelector;
import dev.flotilla.service.common.Paging;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;

@Path("/api/v1/machines")
@Tag(name = "Machines")
@Produces(MediaType.APPLICATION_JSON)
public class MachineResource {
    @Inject
    MachineService machines;

    @Inject
    Actor actor;

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "List machines, sorted by hostname then id (role: viewer)")
    public Page<MachineView> list(
            @Parameter(description = "label selector, e.g. region=eu,role in (web,db),!gpu") @QueryParam("selector")
                    String selector,
            @Parameter(description = "online, offline or lost") @QueryParam("presence") String presence,
            @Parameter(description = "part of the hostname, or the start of the machine id") @QueryParam("q")
                    String text,
            @Parameter(description = "nextCursor of the previous page") @QueryParam("cursor") String cursor,
            @Parameter(description = "page size, 1 to 500 (default 50)") @QueryParam("limit") String limit) {
        return machines.list(new MachineService.MachineQuery(
                actor.orgId(),
                LabelSelector.parse(selector),
                Presence.fromQuery(presence),
                text,
                cursor,
                Paging.limit(limit)));
    }

    @GET
    @Path("/{id}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "One machine (role: viewer)")
    public MachineView get(@PathParam("id") String id) {
        return machines.get(actor.orgId(), id);
    }

    @GET
    @Path("/{id}/events")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "A machine's history, newest first (role: viewer)")
    public Page<MachineEventView> events(
            @PathParam("id") String id, @QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
        machines.get(actor.orgId(), id);
        return machines.events(actor.orgId(), id, cursor, Paging.limit(limit));
    }

    @PATCH
    @Path("/{id}/labels")
    @Consumes({MediaType.APPLICATION_JSON, "application/merge-patch+json"})
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(summary = "Set labels (a JSON object; a null value removes the label) (role: operator)")
    @APIResponse(
            responseCode = "409",
            description =
                    "A label the agent sets cannot be removed through the API (override its value, or change the agent's config).",
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
                            schema = @Schema(implementation = dev.flotilla.api.rest.MachineView.class)))
    public MachineView changeLabels(@PathParam("id") String id, Map<String, String> changes) {
        if (changes == null || changes.isEmpty()) {
            throw ProblemException.badRequest("a JSON object of label changes is required");
        }
        return machines.changeLabels(actor.orgId(), id, changes, actor.name());
    }

    @DELETE
    @Path("/{id}/labels/{key}")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(summary = "Remove a label set through the API (role: operator)")
    @APIResponse(
            responseCode = "409",
            description = "The label is the agent's: change the agent's config instead.",
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
                            schema = @Schema(implementation = dev.flotilla.api.rest.MachineView.class)))
    public MachineView removeLabel(@PathParam("id") String id, @PathParam("key") String key) {
        Map<String, String> change = new HashMap<>();
        change.put(key, null);
        return machines.changeLabels(actor.orgId(), id, change, actor.name());
    }

    @GET
    @Path("/{id}/credential")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(summary = "The state of a machine's credential rotation (role: admin)")
    public CredentialRotationView credential(@PathParam("id") String id) {
        return machines.credential(actor.orgId(), id);
    }

    @POST
    @Path("/{id}/credential/rotate")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(
            summary = "Issue the machine a new credential (role: admin)",
            description = "The new credential is sent over the agent's connection, now or when it next"
                    + " connects; the old one works until the agent confirms it saved the new one. 202:"
                    + " follow GET .../credential until its state is current again.")
    @APIResponse(
            responseCode = "202",
            description = "Asked for; the agent gets its new credential over its connection.",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = dev.flotilla.api.rest.CredentialRotationView.class)))
    public Response rotateCredential(@PathParam("id") String id) {
        return Response.accepted(machines.requestCredentialRotation(actor.orgId(), id, actor.name()))
                .build();
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(summary = "Remove a machine: its credential stops working at once (role: admin)")
    @APIResponse(responseCode = "204", description = "Removed; its credential no longer works.")
    public Response remove(@PathParam("id") String id) {
        machines.remove(actor.orgId(), id, actor.name());
        return Response.noContent().build();
    }
}
