package dev.flotilla.service.common;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * How people sign in: {@code flotilla.auth.mode} ({@code FLOTILLA_AUTH_MODE}), {@code local} (the
 * default) or {@code oidc} (Keycloak). The one place the service reads it; {@code
 * boot.AuthModeConfig} derives Quarkus OIDC's switches from the same property.
 */
@ApplicationScoped
public class AuthMode {
    @Inject
    AuthConfig config;

    /** People sign in through Keycloak; local accounts do not sign in at all. */
    public boolean keycloak() {
        return "oidc".equals(config.mode());
    }
}
