package dev.flotilla.service.common;

import io.smallrye.config.ConfigMapping;

/** How people sign in ({@code flotilla.auth.mode}: {@code local} or {@code oidc}; the default in application.properties). */
@ConfigMapping(prefix = "flotilla.auth")
public interface AuthConfig {
    String mode();

    /** (oidc) The realm's public client for the device authorization grant of command-line clients. */
    String cliClient();
}
