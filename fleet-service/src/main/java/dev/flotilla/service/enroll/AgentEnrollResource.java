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
    public Response enroll(EnrollmentRequest request) {
        var enrolled = enrollment.enroll(request);
        return Response.created(java.net.URI.create("/api/v1/machines/" + enrolled.machineId()))
                .entity(enrolled)
                .build();
    }
}
