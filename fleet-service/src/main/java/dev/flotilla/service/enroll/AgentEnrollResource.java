package dev.flotilla.service.enroll;

import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.protocol.Protocol;
import dev.flotilla.api.rest.EnrollmentRequest;

/** Where an agent trades an enrollment token for its own credential, once. */
@Path(Protocol.ENROLL_PATH)
@Tag(name = "Agent")
@PermitAll
public class AgentEnrollResource {
    @Inject
    EnrollmentService enrollment;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Enroll a machine with an enrollment token (no other authentication)")
    @APIResponse(
            responseCode = "201",
            description = "Enrolled: the machine's id and its credential (in this answer only).",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = dev.flotilla.api.rest.EnrollmentResponse.class)))
    @APIResponse(
            responseCode = "409",
            description = "A machine with this id is enrolled already.",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    @APIResponse(
            responseCode = "401",
            description = "The enrollment token is unknown, expired, revoked or used up.",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    public Response enroll(EnrollmentRequest request) {
        var enrolled = enrollment.enroll(request);
        return Response.created(java.net.URI.create("/api/v1/machines/" + enrolled.machineId()))
                .entity(enrolled)
                .build();
    }
}
