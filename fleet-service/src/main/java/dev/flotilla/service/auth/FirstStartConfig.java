package dev.flotilla.service.auth;

import java.nio.file.Path;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

/**
 * The first start's bootstrap ({@code flotilla.admin.*}, {@code flotilla.bootstrap.file}; defaults
 * in application.properties): the first account, and where its login and an API token are written.
 */
@ConfigMapping(prefix = "flotilla")
public interface FirstStartConfig {
    /** The first account's user name. */
    @WithName("admin.username")
    String adminUsername();

    /** The first account's password; generated and printed once when unset. */
    @WithName("admin.password")
    Optional<String> adminPassword();

    /** Where the first start writes the admin login and an admin API token (mode 0600), if anywhere. */
    @WithName("bootstrap.file")
    Optional<Path> bootstrapFile();
}
