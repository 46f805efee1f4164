package dev.flotilla.service.updates;

import java.util.Optional;
import java.util.UUID;

import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The FleetLock protocol as Zincati speaks it ({@code coreos/zincati}
 * {@code docs/development/fleetlock/protocol.md}) under {@code /fleetlock/{secret}}: only 200 is
 * success; every error is {@code {"kind","value"}} with a small, fixed set of kinds.
 */
@Path("/fleetlock/{secret}/v1")
@Tag(name = "FleetLock")
@PermitAll
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class FleetLockResource {
    static final String HEADER = "fleet-lock-protocol";

    @Inject
    FleetLockService fleetLock;

    @Inject
    ObjectMapper json;

    @POST
    @Path("/pre-reboot")
    @Operation(
            summary = "RecursiveLock: take (or keep) a reboot slot for client_params.id in client_params.group, a"
                    + " policy's name or \"default\"; granted only inside the policy's windows and limits (no"
                    + " credentials: the organization is the secret in the URL)")
    @APIResponse(responseCode = "200", description = "The lock is held by this node (granted now, or already).")
    @APIResponse(
            responseCode = "409",
            description =
                    "Not now: outside every window, paused, or as many machines as allowed are updating (kind says which).",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(ref = "#/components/schemas/FleetLockError")))
    public Response preReboot(@PathParam("secret") String secret, @HeaderParam(HEADER) String header, String body) {
        return handle(secret, header, body, true);
    }

    @POST
    @Path("/steady-state")
    @Operation(summary = "UnlockIfHeld: release client_params.id's reboot slot if it holds one")
    @APIResponse(responseCode = "200", description = "The node holds no lock (released now, or held none).")
    public Response steadyState(@PathParam("secret") String secret, @HeaderParam(HEADER) String header, String body) {
        return handle(secret, header, body, false);
    }

    private Response handle(String secret, String header, String body, boolean lock) {
        if (!"true".equals(header)) {
            return error(
                    400, "failed_header", "the fleet-lock-protocol header must be present with the value \"true\"");
        }
        Optional<UUID> org = fleetLock.organization(secret);
        if (org.isEmpty()) {
            return error(404, "unknown_url", "no FleetLock service at this URL (mistyped, or its secret was revoked)");
        }
        ClientParams params;
        try {
            params = params(body);
        } catch (IllegalArgumentException e) {
            return error(400, "failed_body", e.getMessage());
        }
        if (!lock) {
            try {
                fleetLock.unlock(org.get(), params.group(), params.id());
            } catch (IllegalArgumentException e) {
                return unknownGroup(params.group());
            }
            return Response.ok().build();
        }
        Optional<LeaseRules.Decision> decision = fleetLock.lock(org.get(), params.group(), params.id());
        if (decision.isEmpty()) {
            return unknownGroup(params.group());
        }
        LeaseRules.Decision d = decision.get();
        if (d.granted()) {
            return Response.ok().build();
        }
        String kind = switch (d.state()) {
            case "waiting_for_window" -> "failed_lock_outside_window";
            case "paused" -> "failed_lock_paused";
            default -> "failed_lock_semaphore_full";
        };
        return error(409, kind, d.reason());
    }

    private record ClientParams(String id, String group) {}

    private ClientParams params(String body) {
        if (body == null || body.isBlank()) {
            throw new IllegalArgumentException("a JSON body with client_params {id, group} is required");
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("the body is not JSON");
        }
        JsonNode p = root == null ? null : root.get("client_params");
        if (p == null || !p.isObject()) {
            throw new IllegalArgumentException("client_params (an object with id and group) is required");
        }
        JsonNode id = p.get("id");
        JsonNode group = p.get("group");
        if (id == null
                || !id.isTextual()
                || id.asText().isEmpty()
                || id.asText().length() > 255) {
            throw new IllegalArgumentException("client_params.id must be a non-empty string of at most 255 characters");
        }
        if (group == null || !group.isTextual() || !group.asText().matches("[a-zA-Z0-9.-]{1,63}")) {
            throw new IllegalArgumentException(
                    "client_params.group must match ^[a-zA-Z0-9.-]+$ (at most 63 characters)");
        }
        return new ClientParams(id.asText(), group.asText());
    }

    private static Response unknownGroup(String group) {
        return error(
                404,
                "unknown_group",
                "no update policy named \"" + group + "\" (groups are policy names; \"default\" always exists)");
    }

    private static Response error(int status, String kind, String value) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(new dev.flotilla.api.rest.FleetLockError(kind, value))
                .build();
    }
}
