package dev.flotilla.service.boot;

import java.nio.file.Path;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Starts the service. With no database configured ({@code FLOTILLA_DB_URL} unset) it first starts
 * an embedded PostgreSQL in the data folder and points the datasource at it, so that one command
 * runs a whole Flotilla.
 */
@QuarkusMain
public final class FlotillaMain {
    private FlotillaMain() {}

    public static void main(String... args) {
        String url = setting("FLOTILLA_DB_URL", "flotilla.db.url");
        if (url == null || url.isBlank()) {
            Path dataDir = Path.of(setting("FLOTILLA_DATA_DIR", "flotilla.data-dir", "data"));
            EmbeddedPostgres pg = EmbeddedPostgres.start(dataDir.resolve("postgres"));
            Runtime.getRuntime().addShutdownHook(new Thread(pg::close, "embedded-postgres-stop"));
            System.setProperty("quarkus.datasource.jdbc.url", pg.jdbcUrl());
            System.setProperty("quarkus.datasource.username", pg.user());
            System.setProperty("quarkus.datasource.password", pg.password());
        }
        Quarkus.run(args);
    }

    private static String setting(String env, String property) {
        String value = System.getProperty(property);
        return value != null ? value : System.getenv(env);
    }

    private static String setting(String env, String property, String fallback) {
        String value = setting(env, property);
        return value == null || value.isBlank() ? fallback : value;
    }
}
