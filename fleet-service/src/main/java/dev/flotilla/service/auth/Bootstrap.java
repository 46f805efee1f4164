package dev.flotilla.service.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import dev.flotilla.api.rest.NewApiToken;
import dev.flotilla.service.common.AdvisoryLocks;
import dev.flotilla.service.common.AuthMode;
import dev.flotilla.service.common.SecretFiles;
import dev.flotilla.service.common.TimeService;
import dev.flotilla.service.tenant.Organizations;
import dev.flotilla.service.tenant.Role;
import io.quarkus.runtime.StartupEvent;

/**
 * First start: creates the local admin account with a generated password, printed once. With
 * {@code flotilla.bootstrap.file} set it also creates an admin API token and writes both, as
 * {@code KEY=value} lines (mode 0600), for scripts such as {@code ./flotilla up}.
 */
@ApplicationScoped
public class Bootstrap {
    private static final Logger LOG = Logger.getLogger(Bootstrap.class);
    private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    @Inject
    EntityManager em;

    @Inject
    ApiTokenService tokens;

    @Inject
    TimeService time;

    @Inject
    dev.flotilla.service.org.OrgService orgs;

    @Inject
    FirstStartConfig config;

    @Inject
    AuthMode authMode;

    void onStart(@Observes StartupEvent start) {
        firstStart();
    }

    @Transactional
    void firstStart() {
        // One replica bootstraps; the others wait for it here and then find the account.
        em.createNativeQuery("select pg_advisory_xact_lock(" + AdvisoryLocks.BOOTSTRAP + ")")
                .getSingleResult();
        if (authMode.keycloak()) {
            oidcFirstStart();
            return;
        }
        if (Account.count() > 0) {
            return;
        }
        String password = config.adminPassword().filter(p -> !p.isBlank()).orElseGet(Bootstrap::generatePassword);
        Account a = new Account();
        a.id = UUID.randomUUID();
        a.username = config.adminUsername();
        a.passwordHash = AccountService.hash(password);
        a.createdAt = time.now().truncatedTo(ChronoUnit.MICROS);
        a.persist();
        orgs.addMember(
                Organizations.DEFAULT,
                AccountService.subject(config.adminUsername()),
                config.adminUsername(),
                null,
                Role.OWNER,
                "system");
        if (config.bootstrapFile().isEmpty()) {
            // Nowhere else to put it: shown once in the log. With flotilla.bootstrap.file set (as
            // ./flotilla up does) or the password configured, no password is ever logged.
            LOG.infof(
                    "%n================================================================%n"
                            + " Flotilla first start: local account created%n"
                            + "   user:     %s%n"
                            + "   password: %s%n"
                            + " This password is shown once. Keep it. (Set flotilla.bootstrap.file to have%n"
                            + " it written to a file of mode 0600 instead of this log.)%n"
                            + "================================================================",
                    config.adminUsername(),
                    config.adminPassword().isPresent() ? "(as configured in flotilla.admin.password)" : password);
            return;
        }
        Path file = config.bootstrapFile().get();
        var token = tokens.create(
                Organizations.DEFAULT,
                AccountService.subject(config.adminUsername()),
                Role.OWNER,
                new NewApiToken("bootstrap", Role.ADMIN.wireName(), Duration.ofDays(365)));
        write(
                file,
                "FLOTILLA_ADMIN_USER=" + config.adminUsername() + "\n"
                        + "FLOTILLA_ADMIN_PASSWORD=" + password + "\n"
                        + "FLOTILLA_TOKEN=" + token.secret() + "\n"
                        + "FLOTILLA_TOKEN_EXPIRES=" + token.token().expiresAt() + "\n");
        LOG.infof(
                "Flotilla first start: local account %s created; its password and an API token are in %s (mode 0600)",
                config.adminUsername(), file);
    }

    /** With Keycloak sign-in there is no local account: people sign up through Keycloak. Only the bootstrap token. */
    private void oidcFirstStart() {
        Number made =
                (Number) em.createNativeQuery("select count(*) from api_token where org_id = :o and name = 'bootstrap'")
                        .setParameter("o", Organizations.DEFAULT)
                        .getSingleResult();
        if (made.longValue() > 0 || config.bootstrapFile().isEmpty()) {
            return;
        }
        var token = tokens.create(
                Organizations.DEFAULT,
                "system",
                Role.OWNER,
                new NewApiToken("bootstrap", Role.ADMIN.wireName(), Duration.ofDays(365)));
        write(
                config.bootstrapFile().get(),
                "FLOTILLA_TOKEN=" + token.secret() + "\n" + "FLOTILLA_TOKEN_EXPIRES="
                        + token.token().expiresAt() + "\n");
    }

    private static void write(Path file, String content) {
        try {
            SecretFiles.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String generatePassword() {
        SecureRandom random = new SecureRandom();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
