package dev.flotilla.service.boot;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/** Says at start which database the service uses (never its credentials), so that the log tells. */
@ApplicationScoped
public class StartupReport {
    private static final Logger LOG = Logger.getLogger(StartupReport.class);

    @Inject
    BootConfig config;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    Optional<String> url;

    void report(@Observes StartupEvent e) {
        String where = url.orElse("(none)").replaceAll("\\?.*", ""); // parameters may hold a password
        if (config.dbUrl().filter(u -> !u.isBlank()).isPresent()) {
            LOG.infof("database: %s (flotilla.db.url)", where);
        } else {
            LOG.infof(
                    "database: %s (without flotilla.db.url, FlotillaMain starts an embedded PostgreSQL in %s/postgres)",
                    where, config.dataDir().orElse("data"));
        }
    }
}
