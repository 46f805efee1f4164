package dev.flotilla.service.boot;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

/**
 * What {@link FlotillaMain} reads before Quarkus starts ({@code flotilla.db.url}, {@code
 * flotilla.data-dir}, or their environment variables), declared here so that Quarkus knows them:
 * every {@code flotilla.*} property maps to a {@code @ConfigMapping}, and a misspelt one fails the
 * start instead of being ignored.
 */
@ConfigMapping(prefix = "flotilla")
public interface BootConfig {
    /** An external PostgreSQL's JDBC URL; unset: the embedded one. */
    @WithName("db.url")
    Optional<String> dbUrl();

    /** Where the embedded PostgreSQL keeps its data. */
    @WithName("data-dir")
    Optional<String> dataDir();
}
