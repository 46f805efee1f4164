package dev.flotilla.system;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code ./flotilla up} as the README says: it starts the service on an embedded PostgreSQL and an
 * agent on this host, writes .flotilla/up.env, stops everything on Ctrl-C, and a second up reuses
 * the data. (FLOTILLA_HOME and FLOTILLA_PORT only keep this test out of the checkout's own
 * .flotilla and off a port in use.)
 */
class FlotillaUpTest {
    private Process up;
    private Path home;

    @AfterEach
    void stop() throws Exception {
        if (up != null && up.isAlive()) {
            interrupt(up);
            if (!up.waitFor(60, TimeUnit.SECONDS)) {
                up.destroyForcibly();
            }
        }
    }

    @Test
    void shouldStartEverythingOnAnEmbeddedDatabaseAndReuseItTheSecondTime() throws Exception {
        home = Project.workDir("up");
        int port = Project.freePort();

        up = start(port, "first-up.log");
        Map<String, String> env = awaitUpEnv();
        assertThat(env.get("FLOTILLA_URL")).isEqualTo("http://127.0.0.1:" + port);
        assertThat(env.get("FLOTILLA_TOKEN")).startsWith("flt_");
        assertThat(env.get("FLOTILLA_ENROLL_TOKEN")).startsWith("fle_");
        // The FleetLock base URL for Zincati answers the protocol, no credentials needed.
        String fleetLock = env.get("FLOTILLA_FLEETLOCK_URL");
        assertThat(fleetLock).startsWith("http://127.0.0.1:" + port + "/fleetlock/flk_");
        for (String op : java.util.List.of("pre-reboot", "steady-state")) {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(fleetLock + "/v1/" + op))
                                    .header("fleet-lock-protocol", "true")
                                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                            "{\"client_params\":{\"id\":\"fcos-1\",\"group\":\"default\"}}"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(op + ": " + r.body()).isEqualTo(200);
        }
        String output = Files.readString(home.resolve("first-up.log"), StandardCharsets.UTF_8);
        assertThat(output)
                .contains("Dashboard   http://127.0.0.1:" + port)
                .contains("Sign in as  admin / ")
                .contains("API token   flt_");
        assertThat(Files.readString(home.resolve("service.log"))).contains("Embedded PostgreSQL running");
        // Secrets at rest: the admin password is in bootstrap.env only, never in the service's log,
        // and every file holding a secret was made readable by its owner alone.
        String password = Project.readEnvFile(home.resolve("bootstrap.env")).get("FLOTILLA_ADMIN_PASSWORD");
        assertThat(password).hasSizeGreaterThanOrEqualTo(16);
        assertThat(Files.readString(home.resolve("service.log"))).doesNotContain(password);
        for (String secret : java.util.List.of("bootstrap.env", "up.env", "session.key", "data/postgres.password")) {
            Path file = home.resolve(secret);
            if (secret.startsWith("data/") && !Files.exists(file)) {
                continue; // moved out of a folder closed to the embedded server's user
            }
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .as(secret)
                    .isEqualTo("rw-------");
        }

        String machineId = awaitOnlineMachine(env);
        JsonNode machine = Project.get(
                        env.get("FLOTILLA_URL") + "/api/v1/machines/" + machineId, env.get("FLOTILLA_TOKEN"))
                .body();
        assertThat(machine.get("labels").get("flotilla.dev/started-by").asText())
                .isEqualTo("up");

        // Ctrl-C: the whole process group gets SIGINT, as from a terminal.
        interrupt(up);
        assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("up stops on Ctrl-C").isTrue();
        assertThat(Project.ready(env.get("FLOTILLA_URL"))).isFalse();
        assertThat(postgresRunningIn(home))
                .as("the embedded PostgreSQL is stopped too")
                .isFalse();

        // A second up reuses the data: same token, same machine, no second first start.
        up = start(port, "second-up.log");
        await().atMost(Duration.ofSeconds(120)).until(() -> Project.ready(env.get("FLOTILLA_URL")));
        assertThat(awaitOnlineMachine(Project.readEnvFile(home.resolve("up.env"))))
                .isEqualTo(machineId);
        assertThat(Project.readEnvFile(home.resolve("up.env"))).isEqualTo(env);
        assertThat(Files.readString(home.resolve("service.log"))).doesNotContain("first start");
    }

    private Process start(int port, String log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                        "setsid", Project.ROOT.resolve("flotilla").toString(), "up")
                .directory(Project.ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve(log).toFile());
        pb.environment().put("FLOTILLA_HOME", home.toString());
        pb.environment().put("FLOTILLA_PORT", String.valueOf(port));
        pb.environment().put("FLOTILLA_MANAGEMENT_PORT", String.valueOf(Project.freePort()));
        pb.environment().remove("FLOTILLA_DB_URL");
        return pb.start();
    }

    private Map<String, String> awaitUpEnv() {
        Path file = home.resolve("up.env");
        await().atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    if (!up.isAlive()) {
                        throw new AssertionError(
                                "flotilla up exited: " + Files.readString(home.resolve("first-up.log")));
                    }
                    return Project.readEnvFile(file).size() == 4;
                });
        try {
            return Project.readEnvFile(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String awaitOnlineMachine(Map<String, String> env) {
        String[] id = new String[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    JsonNode page = Project.get(
                                    env.get("FLOTILLA_URL") + "/api/v1/machines?presence=online",
                                    env.get("FLOTILLA_TOKEN"))
                            .body();
                    assertThat(page.get("items")).hasSize(1);
                    id[0] = page.get("items").get(0).get("id").asText();
                });
        return id[0];
    }

    private static void interrupt(Process p) throws Exception {
        // setsid made the script a process-group leader: signal the group, as a terminal would.
        new ProcessBuilder("kill", "-INT", "--", "-" + p.pid())
                .inheritIO()
                .start()
                .waitFor();
    }

    private static boolean postgresRunningIn(Path home) throws Exception {
        Process pgrep = new ProcessBuilder("pgrep", "-f", home.resolve("data").toString() + "/postgres").start();
        return pgrep.waitFor() == 0 && !new String(pgrep.getInputStream().readAllBytes()).isBlank();
    }
}
