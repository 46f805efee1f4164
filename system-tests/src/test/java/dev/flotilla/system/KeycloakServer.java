package dev.flotilla.system;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Keycloak: the distribution from Maven Central (unpacked by the build into
 * system-tests/target/keycloak-dist), started in dev mode with a Java 21+ JDK (Temurin 25 here),
 * with the Flotilla realm imported from deploy/keycloak/ by deploy/keycloak/import.sh.
 */
final class KeycloakServer implements AutoCloseable {
    final String url;
    final Process process;

    private KeycloakServer(String url, Process process) {
        this.url = url;
        this.process = process;
    }

    /**
     * Writes the realm for {@code flotillaUrl} with these secrets (mail through the SMTP server on
     * 127.0.0.1:{@code smtpPort}), starts Keycloak and waits until the realm answers.
     */
    static KeycloakServer start(Path work, String flotillaUrl, String dashboardSecret, String adminSecret, int smtpPort)
            throws Exception {
        Path home = Path.of(System.getProperty("flotilla.keycloak.home", "target/keycloak-dist/keycloak-26.5.6"));
        assertThat(home.resolve("bin/kc.sh"))
                .as("the unpacked Keycloak distribution")
                .exists();
        // A fresh database each run: an imported realm is never re-imported over an old one.
        deleteTree(home.resolve("data"));
        Path importDir = home.resolve("data/import");
        ProcessBuilder realm = new ProcessBuilder(
                        "bash",
                        Project.ROOT.resolve("deploy/keycloak/import.sh").toString(),
                        importDir.toString())
                .redirectErrorStream(true);
        realm.environment().put("FLOTILLA_URL", flotillaUrl);
        realm.environment().put("FLOTILLA_OIDC_SECRET", dashboardSecret);
        realm.environment().put("FLOTILLA_KEYCLOAK_ADMIN_SECRET", adminSecret);
        realm.environment().put("FLOTILLA_SMTP_HOST", "127.0.0.1");
        realm.environment().put("FLOTILLA_SMTP_PORT", String.valueOf(smtpPort));
        realm.environment().put("FLOTILLA_SMTP_FROM", "flotilla@example.com");
        Process importer = realm.start();
        String out = new String(importer.getInputStream().readAllBytes());
        assertThat(importer.waitFor()).as(out).isZero();

        int port = Project.freePort();
        int management = Project.freePort();
        ProcessBuilder pb = new ProcessBuilder(
                        "bash",
                        home.resolve("bin/kc.sh").toString(),
                        "start-dev",
                        "--http-host=127.0.0.1",
                        "--http-port=" + port,
                        "--http-management-port=" + management,
                        "--import-realm")
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("keycloak.log").toFile());
        Map<String, String> env = pb.environment();
        env.put("JAVA_HOME", java21().toString());
        env.put("JAVA_OPTS_KC_HEAP", "-Xms128m -Xmx768m");
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin-" + Long.toHexString(System.nanoTime()));
        Process p = pb.start();
        String url = "http://127.0.0.1:" + port;
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(240))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    assertThat(p.isAlive())
                            .as("Keycloak is running (see keycloak.log)")
                            .isTrue();
                    try {
                        return http.send(
                                                HttpRequest.newBuilder(URI.create(url
                                                                + "/realms/flotilla/.well-known/openid-configuration"))
                                                        .build(),
                                                HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 200;
                    } catch (IOException e) {
                        return false;
                    }
                });
        return new KeycloakServer(url, p);
    }

    /** Keycloak 26 needs Java 21 or later; the build itself runs on 17. */
    static Path java21() throws IOException {
        Path temurin = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
        if (Files.isExecutable(temurin.resolve("bin/java"))) {
            return temurin;
        }
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            Optional<Path> any = jdks.filter(d -> d.getFileName().toString().matches(".*-(2[1-9]|[3-9][0-9])[-.].*"))
                    .filter(d -> Files.isExecutable(d.resolve("bin/java")))
                    .findFirst();
            return any.orElseThrow(() -> new IllegalStateException(
                    "Keycloak needs a JDK 21+ under /usr/lib/jvm (Temurin 25 on these machines; see ENVIRONMENT.md)"));
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
