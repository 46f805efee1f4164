package dev.flotilla.service.boot;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/** Says at start which database the service uses, so that an operator reading the log knows. */
@ApplicationScoped
public class StartupReport {
    private static final Logger LOG = Logger.getLogger(StartupReport.class);

    @Inject
    BootConfig config;

    void report(@Observes StartupEvent e) {
        if (config.dbUrl().filter(u -> !u.isBlank()).isPresent()) {
            LOG.info("database: the external PostgreSQL of flotilla.db.url");
        } else {
            LOG.infof(
                    "database: embedded PostgreSQL in %s/postgres",
                    config.dataDir().orElse("data"));
        }
    }
}
