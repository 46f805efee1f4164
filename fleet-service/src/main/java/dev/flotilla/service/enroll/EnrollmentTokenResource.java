package dev.flotilla.service.enroll;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
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

import dev.flotilla.api.rest.CreatedEnrollmentToken;
import dev.flotilla.api.rest.EnrollmentTokenView;
import dev.flotilla.api.rest.NewEnrollmentToken;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;

@Path("/api/v1/enrollment-tokens")
@Tag(name = "Enrollment tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN_NAME)
public class EnrollmentTokenResource {
    @Inject
    EnrollmentService enrollment;

    @Inject
    Actor actor;

    @Inject
    InstallService install;

    @jakarta.ws.rs.core.Context
    jakarta.ws.rs.core.UriInfo uri;

    @GET
    @Operation(summary = "List enrollment tokens (role: admin)")
    public List<EnrollmentTokenView> list() {
        return enrollment.list(actor.orgId());
    }

    @POST
    @Operation(
            summary = "Create an enrollment token; its secret is in this response only (role: admin)",
            description = "With the token, the commands that install the agent enrolled by it, one for each"
                    + " way the agent installs (install: deb, rpm, fcos, flatcar, container, jar).")
    @APIResponse(
            responseCode = "201",
            description = "The token; its secret and install commands are in this answer only.",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = dev.flotilla.api.rest.CreatedEnrollmentToken.class)))
    public Response create(NewEnrollmentToken request) {
        CreatedEnrollmentToken created = enrollment.create(actor.orgId(), actor.name(), request);
        // An address no command can hold safely: the token is made and returned all the same, without commands.
        created = created.withInstall(install.commands(uri.getBaseUri(), created.secret()));
        return Response.created(URI.create(
                        "/api/v1/enrollment-tokens/" + created.token().id()))
                .entity(created)
                .build();
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Revoke an enrollment token; machines enrolled with it stay (role: admin)")
    public EnrollmentTokenView revoke(@PathParam("id") UUID id) {
        return enrollment.revoke(actor.orgId(), id);
    }
}
