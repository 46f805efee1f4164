package dev.flotilla.system;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real Keycloak (with GreenMail catching its mail) and one service signing people in through
 * it, shared by every test class that asks for it ({@code @ExtendWith(KeycloakEnvironment.Shared.class)}
 * and a parameter of this type): starting Keycloak and importing the realm is the slowest part of
 * such a test, and the tests keep apart by their own users and organizations. Closed when the
 * test run ends (JUnit's root store).
 */
final class KeycloakEnvironment implements ExtensionContext.Store.CloseableResource {
    final KeycloakServer keycloak;
    final com.icegreen.greenmail.util.GreenMail mail;
    final RunningService service;
    final String adminSecret;

    private KeycloakEnvironment() throws Exception {
        int port = Project.freePort();
        String url = "http://127.0.0.1:" + port;
        String dashboardSecret = UUID.randomUUID().toString();
        adminSecret = UUID.randomUUID().toString();
        Path work = Project.workDir("keycloak");
        mail = new com.icegreen.greenmail.util.GreenMail(
                new com.icegreen.greenmail.util.ServerSetup(Project.freePort(), "127.0.0.1", "smtp"));
        mail.start();
        KeycloakServer k = null;
        RunningService s = null;
        try {
            k = KeycloakServer.start(
                    work, url, dashboardSecret, adminSecret, mail.getSmtp().getPort());
            s = new RunningService(
                    "keycloak-service",
                    port,
                    Map.of(
                            "FLOTILLA_AUTH_MODE",
                            "oidc",
                            "FLOTILLA_OIDC_URL",
                            k.url + "/realms/flotilla",
                            "FLOTILLA_OIDC_SECRET",
                            dashboardSecret,
                            "FLOTILLA_KEYCLOAK_URL",
                            k.url,
                            "FLOTILLA_KEYCLOAK_ADMIN_SECRET",
                            adminSecret));
        } catch (Exception | Error e) {
            if (k != null) {
                k.close();
            }
            mail.stop();
            throw e;
        }
        keycloak = k;
        service = s;
    }

    @Override
    public void close() throws Exception {
        try {
            service.close();
        } finally {
            try {
                keycloak.close();
            } finally {
                mail.stop();
            }
        }
    }

    /** Resolves a {@link KeycloakEnvironment} parameter with the run's one instance. */
    static final class Shared implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == KeycloakEnvironment.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getRoot()
                    .getStore(ExtensionContext.Namespace.GLOBAL)
                    .getOrComputeIfAbsent(
                            KeycloakEnvironment.class,
                            key -> {
                                try {
                                    return new KeycloakEnvironment();
                                } catch (Exception e) {
                                    throw new IllegalStateException("Keycloak and its service did not start", e);
                                }
                            },
                            KeycloakEnvironment.class);
        }
    }
}
