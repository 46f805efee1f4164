package dev.flotilla.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service's image as an operator runs it: built by deploy/image/build.sh (what `./flotilla
 * image` runs) with no registry, loaded with `podman load`, started with only environment
 * variables on a read-only root file system with /tmp as its one writable folder, as user
 * 10001, against the machine's PostgreSQL. It answers ready, its metrics say the database is up,
 * and it logs JSON.
 */
class ServiceImageTest {
    private final String container =
            "flotilla-image-test-" + ProcessHandle.current().pid();
    private final String database = "flotilla_img_" + Long.toHexString(System.nanoTime());

    @AfterEach
    void cleanUp() throws Exception {
        try {
            Project.run(Duration.ofSeconds(60), "podman", "rm", "-f", "-t", "5", container);
        } catch (IOException e) {
            // nothing to remove when the test stopped before it started the container
        }
        RunningService.sql("drop database if exists " + database + " with (force)");
    }

    @Test
    void shouldRunFromItsArchiveWithOnlyEnvironmentVariables() throws Exception {
        Path out = Project.workDir("image").resolve("images");
        String built = Project.run(
                Duration.ofMinutes(8),
                Project.ROOT.resolve("deploy/image/build.sh").toString(),
                out.toString());
        Path archive = out.resolve("flotilla-service.tar");
        assertThat(archive).exists();
        assertThat(out.resolve("flotilla-agent.tar")).exists();
        System.out.println(built);

        String loaded = Project.run(Duration.ofMinutes(2), "podman", "load", "-q", "-i", archive.toString());
        assertThat(loaded).contains("flotilla-service");
        String user = Project.run(
                Duration.ofSeconds(30), "podman", "image", "inspect", "--format", "{{.Config.User}}", imageName());
        assertThat(user.trim()).isEqualTo("10001:10001");

        RunningService.sql("create database " + database);
        int port = Project.freePort();
        int management = Project.freePort();
        List<String> command = new ArrayList<>(List.of(
                "podman",
                "run",
                "-d",
                "--name",
                container,
                "--network=host",
                "--read-only",
                "--tmpfs",
                "/tmp:rw,mode=1777",
                "--cap-drop=ALL",
                "--security-opt=no-new-privileges",
                "--ulimit",
                "nofile=4096:4096",
                "--ulimit",
                "nproc=4096:4096",
                "-e",
                "FLOTILLA_DB_URL=" + RunningService.PG + database,
                "-e",
                "FLOTILLA_DB_USER=" + RunningService.PG_USER,
                "-e",
                "FLOTILLA_DB_PASSWORD=" + RunningService.PG_PASSWORD,
                "-e",
                "FLOTILLA_PORT=" + port,
                "-e",
                "FLOTILLA_MANAGEMENT_PORT=" + management,
                "-e",
                "FLOTILLA_BOOTSTRAP_FILE=/tmp/bootstrap.env"));
        command.add(imageName());
        Project.run(Duration.ofMinutes(1), command.toArray(String[]::new));

        String url = "http://127.0.0.1:" + port;
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> Project.ready(url) || !running());
        assertThat(Project.ready(url)).as("ready; its log:%n%s", logs()).isTrue();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var metrics = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create("http://127.0.0.1:" + management + "/q/metrics"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("flotilla_database_up 1.0");
        });
        String firstLine = logs().lines().filter(l -> !l.isBlank()).findFirst().orElse("");
        assertThat(firstLine).as("structured logs").startsWith("{").contains("\"level\"");
    }

    private String imageName() throws IOException {
        String pom = Files.readString(Project.ROOT.resolve("pom.xml"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\n    <version>([^<]+)</version>")
                .matcher(pom);
        assertThat(m.find()).isTrue();
        return "localhost/flotilla-service:" + m.group(1).replace("-SNAPSHOT", "");
    }

    private boolean running() throws Exception {
        return Project.run(Duration.ofSeconds(30), "podman", "inspect", "--format", "{{.State.Running}}", container)
                .contains("true");
    }

    private String logs() throws Exception {
        return Project.run(Duration.ofSeconds(30), "podman", "logs", container);
    }

    /** Runs a command to its end and returns its output (stderr included); fails on a non-zero exit. */
}
