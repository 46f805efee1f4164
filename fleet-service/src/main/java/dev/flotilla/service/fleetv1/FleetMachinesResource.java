package dev.flotilla.service.fleetv1;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import dev.flotilla.api.rest.FleetV1;
import dev.flotilla.api.rest.MachineView;
import dev.flotilla.api.rest.Page;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.machine.MachineService;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;

/**
 * fleet's machines API, {@code /fleet/v1/machines}: the live machines with their metadata
 * (Flotilla's labels), and metadata changed by JSON Patch as fleet's api/machines.go took it.
 */
@Path("/fleet/v1/machines")
@Tag(name = "fleet v1")
@Produces(MediaType.APPLICATION_JSON)
public class FleetMachinesResource {
    private static final Pattern PATH = Pattern.compile("^/([^/]+)/metadata/([A-Za-z0-9_.-]+)$");

    @Inject
    MachineService machines;

    @Inject
    Actor actor;

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "fleet v1: the machines that are online, 100 a page (role: viewer)")
    public FleetV1.MachinePage list(@QueryParam("nextPageToken") String token) {
        Page<MachineView> page = machines.list(new MachineService.MachineQuery(
                actor.orgId(),
                dev.flotilla.api.selector.LabelSelector.everything(),
                dev.flotilla.service.machine.Presence.ONLINE,
                null,
                token,
                FleetUnitsResource.PAGE));
        List<FleetV1.Machine> out = new ArrayList<>();
        for (MachineView m : page.items()) {
            String ip = m.facts() == null || m.facts().addresses().isEmpty()
                    ? null
                    : m.facts().addresses().get(0);
            out.add(new FleetV1.Machine(m.id(), ip, m.labels()));
        }
        return new FleetV1.MachinePage(out, page.nextCursor());
    }

    @PATCH
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(
            summary = "fleet v1: change machine metadata with JSON Patch ops add, replace, remove on"
                    + " /{machineID}/metadata/{key} (role: operator)")
    // One transaction for every machine the operations name: a bad label or an unknown machine
    // later in the list leaves the earlier machines as they were (no partial write).
    @jakarta.transaction.Transactional
    @APIResponse(responseCode = "204", description = "Applied, all operations in one transaction.")
    @APIResponse(
            responseCode = "404",
            description = "No machine with an id the operations name (nothing is changed).",
            content =
                    @Content(mediaType = "application/json", schema = @Schema(ref = "#/components/schemas/FleetError")))
    public Response patch(JsonNode ops) {
        if (ops == null || !ops.isArray()) {
            throw ProblemException.badRequest("unable to decode body: expected an array of operations");
        }
        Map<String, Map<String, String>> changes = new LinkedHashMap<>();
        for (JsonNode op : ops) {
            String kind = op.path("op").asText("");
            if (!List.of("add", "remove", "replace").contains(kind)) {
                throw ProblemException.badRequest("invalid op: expect add, remove, or replace");
            }
            Matcher m = PATH.matcher(op.path("path").asText(""));
            if (!m.matches()) {
                throw ProblemException.badRequest("machine metadata path invalid");
            }
            // fleet's own client sends {"value": "x"}; its documentation shows "x". Both are taken.
            JsonNode v = op.path("value");
            String value = v.isObject() ? v.path("value").asText("") : v.isTextual() ? v.asText() : "";
            if (!kind.equals("remove") && value.isEmpty()) {
                throw ProblemException.badRequest("invalid value: add and replace require a value");
            }
            changes.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>())
                    .put(m.group(2), kind.equals("remove") ? null : value);
        }
        changes.forEach((machine, labels) -> machines.changeLabels(actor.orgId(), machine, labels, actor.name()));
        return Response.noContent().build();
    }
}
