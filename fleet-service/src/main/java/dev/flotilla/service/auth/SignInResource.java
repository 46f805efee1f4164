package dev.flotilla.service.auth;

import java.util.Optional;

import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.flotilla.api.rest.SignInView;
import dev.flotilla.service.common.AuthConfig;
import dev.flotilla.service.common.AuthMode;

/**
 * Discovery for clients that sign people in: whether this service takes local accounts or
 * Keycloak, and with Keycloak where the realm is and which client a command line uses. {@code
 * flotilla login} asks it first.
 */
@Path("/api/v1/sign-in")
@Tag(name = "Sign-in")
@PermitAll
public class SignInResource {
    @Inject
    AuthMode authMode;

    @Inject
    AuthConfig config;

    @ConfigProperty(name = "quarkus.oidc.auth-server-url")
    Optional<String> realmUrl;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary =
                    "How people sign in: local accounts, or Keycloak with the realm and the CLI's client (no credential)")
    @APIResponse(
            responseCode = "200",
            description = "The sign-in mode; with oidc the realm (issuer) and the device-grant client for CLIs.",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = SignInView.class)))
    public SignInView get() {
        if (!authMode.keycloak()) {
            return new SignInView("local", null, null);
        }
        return new SignInView("oidc", realmUrl.map(u -> u.replaceAll("/+$", "")).orElse(null), config.cliClient());
    }
}
