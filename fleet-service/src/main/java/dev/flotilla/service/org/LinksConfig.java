package dev.flotilla.service.org;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

/** Links the service hands out ({@code flotilla.public-url}). */
@ConfigMapping(prefix = "flotilla")
public interface LinksConfig {
    /** Where people reach the dashboard, for invitation links; unset: the address a request came to. */
    @WithName("public-url")
    Optional<String> publicUrl();
}
