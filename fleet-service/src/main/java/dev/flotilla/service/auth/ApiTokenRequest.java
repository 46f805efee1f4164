package dev.flotilla.service.auth;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/**
 * A presented {@code flt_} API token. A request type of its own, so that only
 * {@link ApiTokenIdentityProvider} judges it, and it never judges anyone else's bearer tokens
 * (Keycloak's JWTs go to Quarkus OIDC as TokenAuthenticationRequests).
 */
public final class ApiTokenRequest extends BaseAuthenticationRequest {
    private final String token;

    public ApiTokenRequest(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }
}
