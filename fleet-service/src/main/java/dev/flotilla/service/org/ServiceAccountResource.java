package dev.flotilla.service.org;

import java.net.URI;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.rest.CreatedServiceAccount;
import dev.flotilla.api.rest.MemberView;
import dev.flotilla.api.rest.NewServiceAccount;
import dev.flotilla.service.common.AuthMode;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;

@Path("/api/v1/service-accounts")
@Tag(name = "Members")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ServiceAccountResource {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

    @Inject
    OrgService orgs;

    @Inject
    jakarta.enterprise.inject.Instance<IdentityDirectory> directory;

    @Inject
    Actor actor;

    @Inject
    AuthMode authMode;

    @ConfigProperty(name = "quarkus.oidc.auth-server-url")
    Optional<String> realmUrl;

    @POST
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(
            summary =
                    "Create a Keycloak service account (client credentials) as a member; its secret is in this response only (role: admin; Keycloak sign-in only)")
    @APIResponse(
            responseCode = "201",
            description = "The service account and its client secret (in this answer only).",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = dev.flotilla.api.rest.CreatedServiceAccount.class)))
    @APIResponse(
            responseCode = "409",
            description = "A service account of that name exists, or one more is over the quota.",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            schema = @Schema(ref = "#/components/schemas/Problem")))
    public Response create(NewServiceAccount request) {
        if (!authMode.keycloak()) {
            throw ProblemException.conflict(
                    "service accounts need Keycloak sign-in (flotilla.auth.mode=oidc); use API tokens (POST /api/v1/tokens)");
        }
        if (request == null
                || request.name() == null
                || !NAME.matcher(request.name()).matches()) {
            throw ProblemException.badRequest("name must be 1 to 40 lower-case letters, digits and dashes");
        }
        Role role = Role.parse(request.role());
        if (role == null || role == Role.OWNER) {
            throw ProblemException.badRequest("role must be one of admin, operator, viewer");
        }
        if (!actor.role().includes(role)) {
            throw new ProblemException(
                    Response.Status.FORBIDDEN, "a service account cannot have more power than its creator");
        }
        String slug = orgs.tokenOrg(actor.orgId(), role).get(0).slug();
        // The organization's id, not its slug: "acme" + "prod-ci" and "acme-prod" + "ci" must not meet.
        String clientId = "flotilla-" + actor.orgId() + "-" + request.name();
        if (orgs.isMember(actor.orgId(), "client:" + clientId)) {
            throw ProblemException.conflict("the service account " + request.name() + " exists already");
        }
        // The Keycloak client first (it refuses an existing id), the membership after: never a
        // membership for a client someone else holds.
        String secret = directory.get().createServiceClient(clientId, "Flotilla service account of " + slug);
        MemberView member =
                orgs.addServiceAccount(actor.orgId(), clientId, request.name(), role, actor.name(), actor.vouchedBy());
        return Response.created(URI.create("/api/v1/members/" + member.id()))
                .entity(new CreatedServiceAccount(
                        member, clientId, secret, realmUrl.orElse("") + "/protocol/openid-connect/token"))
                .build();
    }
}
