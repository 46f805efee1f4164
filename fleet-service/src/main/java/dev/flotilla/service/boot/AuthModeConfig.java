package dev.flotilla.service.boot;

import java.util.Set;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

/**
 * One property, {@code flotilla.auth.mode} ({@code FLOTILLA_AUTH_MODE}), chooses how people sign
 * in: {@code local} (accounts kept by Flotilla, the default, for self-hosting) or {@code oidc}
 * (Keycloak). This derives from it whether Quarkus OIDC's two tenants (the dashboard's code flow,
 * the API's bearer tokens) are on, so that nobody has to keep three switches in step.
 */
public class AuthModeConfig implements ConfigSourceInterceptor {
    private static final Set<String> OIDC_SWITCHES =
            Set.of("quarkus.oidc.tenant-enabled", "quarkus.oidc.api.tenant-enabled");

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        if (!OIDC_SWITCHES.contains(name)) {
            return context.proceed(name);
        }
        ConfigValue mode = context.proceed("flotilla.auth.mode");
        boolean oidc = mode != null && "oidc".equals(mode.getValue());
        return ConfigValue.builder()
                .withName(name)
                .withValue(Boolean.toString(oidc))
                .withConfigSourceName("flotilla.auth.mode")
                .build();
    }
}
