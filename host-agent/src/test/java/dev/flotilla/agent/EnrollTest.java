package dev.flotilla.agent;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code flotilla-agent enroll}: its arguments, refusals and the configuration file it writes. A
 * real enrollment against the service is in the package test (system-tests PackageTest).
 */
class EnrollTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int enroll(String... args) {
        Map<String, String> env = Map.of(
                "FLOTILLA_AGENT_STATE", dir.resolve("state").toString(),
                "FLOTILLA_MACHINE_ID_FILE", dir.resolve("machine-id").toString());
        return Enroll.run(
                List.of(args),
                env,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldRequireAUrlAndAToken() {
        assertThat(enroll("--url", "https://fleet.example.com")).isEqualTo(64);
        assertThat(err()).contains("--url and --token are both required");
        assertThat(enroll("--token")).isEqualTo(64);
        assertThat(err()).contains("--token needs a value");
        assertThat(enroll("--url", "https://x", "--token", "t", "--what")).isEqualTo(64);
        assertThat(err()).contains("unknown argument '--what'");
    }

    @Test
    void shouldRefuseAPlainUrlOtherThanLoopbackWithoutInsecure() throws Exception {
        Path config = dir.resolve("agent.conf");
        assertThat(enroll("--config", config.toString(), "--url", "http://fleet.example.com", "--token", "fle_x"))
                .isEqualTo(64);
        assertThat(err()).contains("refusing plain http://fleet.example.com").contains("--insecure");
        assertThat(config).doesNotExist();
    }

    @Test
    void shouldRefuseToEnrollAgainWithoutForce() throws Exception {
        Files.writeString(dir.resolve("machine-id"), "0123456789abcdef0123456789abcdef\n");
        Files.createDirectories(dir.resolve("state"));
        Files.writeString(
                dir.resolve("state/credential.json"),
                "{\"machineId\":\"0123456789abcdef0123456789abcdef\",\"credential\":\"s\","
                        + "\"url\":\"https://old.example.com\"}");
        Path config = dir.resolve("agent.conf");
        assertThat(enroll("--config", config.toString(), "--url", "https://fleet.example.com", "--token", "fle_x"))
                .isEqualTo(78);
        assertThat(err())
                .contains("already enrolled as machine 0123456789abcdef")
                .contains("--force");
        assertThat(config).doesNotExist();
    }

    @Test
    void shouldSayWhenTheServiceCannotBeReached() throws Exception {
        Files.writeString(dir.resolve("machine-id"), "0123456789abcdef0123456789abcdef\n");
        Path config = dir.resolve("agent.conf");
        // Port 9 on loopback: nothing listens (discard), so the connection is refused at once.
        assertThat(enroll("--config", config.toString(), "--url", "http://127.0.0.1:9", "--token", "fle_x"))
                .isEqualTo(1);
        assertThat(err()).contains("cannot enroll");
        assertThat(config).doesNotExist();
        assertThat(dir.resolve("state/credential.json")).doesNotExist();
    }

    @Test
    void shouldReplaceKeysInPlaceAndKeepCommentsAndOtherSettings() throws Exception {
        Path config = dir.resolve("agent.conf");
        Files.writeString(config, """
                # Flotilla agent configuration
                # url = https://example.invalid
                url = https://old.example.com
                updates = on
                labels=role=old
                """);
        Enroll.setKeys(
                config, Map.of("url", "https://fleet.example.com", "labels", "role=web", "ca-file", "/etc/p\\q.pem"));
        assertThat(Files.readAllLines(config))
                .containsExactly(
                        "# Flotilla agent configuration",
                        "# url = https://example.invalid",
                        "url = https://fleet.example.com",
                        "updates = on",
                        "labels = role=web",
                        "ca-file = /etc/p\\\\q.pem");
        // And the agent reads back what was meant.
        var settings = AgentSettings.load(config, Map.of());
        assertThat(settings.url()).hasToString("https://fleet.example.com");
        assertThat(settings.labels()).containsEntry("role", "web");
        assertThat(settings.caFile()).hasToString("/etc/p\\q.pem");
    }
}
