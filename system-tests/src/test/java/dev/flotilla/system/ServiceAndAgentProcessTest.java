package dev.flotilla.system;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged service and the packaged agent, as real processes on the machine's PostgreSQL: the
 * machine appears online, goes offline when the agent is killed, and comes back with the same
 * identity when the agent restarts; a removed machine's agent stops for good.
 */
class ServiceAndAgentProcessTest {
    private static final String PG = env("FLOTILLA_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/");
    private static final String PG_USER = env("FLOTILLA_TEST_PG_USER", "postgres");
    private static final String PG_PASSWORD = env("FLOTILLA_TEST_PG_PASSWORD", "");

    private final List<Process> processes = new ArrayList<>();
    private String database;
    private Path work;
    private String url;
    private String token;
    private String machineId;

    @BeforeEach
    void startService() throws Exception {
        work = Project.workDir("process");
        database = "flotilla_sys_" + Long.toHexString(System.nanoTime());
        sql("create database " + database);
        int port = Project.freePort();
        url = "http://127.0.0.1:" + port;
        Path bootstrap = work.resolve("bootstrap.env");
        ProcessBuilder service = new ProcessBuilder(
                        "java",
                        "-Dflotilla.bootstrap.file=" + bootstrap,
                        "-Dflotilla.agent.heartbeat-interval=1s",
                        "-Dflotilla.agent.heartbeat-ttl=3s",
                        "-Dflotilla.agent.sweep-every=1s",
                        "-Dflotilla.agent.last-seen-flush=1s",
                        "-jar",
                        Project.SERVICE_JAR.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("service.log").toFile());
        service.environment().put("FLOTILLA_DB_URL", PG + database);
        service.environment().put("FLOTILLA_DB_USER", PG_USER);
        service.environment().put("FLOTILLA_DB_PASSWORD", PG_PASSWORD);
        service.environment().put("FLOTILLA_PORT", String.valueOf(port));
        service.environment().put("FLOTILLA_HOST", "127.0.0.1");
        processes.add(service.start());
        await().atMost(Duration.ofSeconds(90)).until(() -> Project.ready(url));
        token = Project.readEnvFile(bootstrap).get("FLOTILLA_TOKEN");
        assertThat(token).startsWith("flt_");
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        machineId = HexFormat.of().formatHex(id);
        Files.writeString(work.resolve("machine-id"), machineId + "\n", StandardCharsets.US_ASCII);
    }

    @AfterEach
    void stopAll() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (database != null) {
            sql("drop database if exists " + database + " with (force)");
        }
    }

    @Test
    void shouldShowTheMachineOnlineOfflineAndOnlineAgainWithTheSameIdentity() throws Exception {
        JsonNode created = Project.post(url + "/api/v1/enrollment-tokens", token, "{\"name\":\"it\",\"maxUses\":1}")
                .body();
        String enroll = created.get("secret").asText();

        Process agent = startAgent(enroll, "first-agent.log");
        awaitPresence("online");
        JsonNode machine =
                Project.get(url + "/api/v1/machines/" + machineId, token).body();
        assertThat(machine.get("labels").get("role").asText()).isEqualTo("system-test");
        assertThat(machine.get("facts").get("kernel").asText()).isNotBlank();
        assertThat(machine.get("facts").get("cpus").asInt()).isPositive();
        assertThat(Files.exists(work.resolve("agent-state/credential.json"))).isTrue();

        agent.destroyForcibly(); // SIGKILL: no goodbye
        agent.waitFor(10, TimeUnit.SECONDS);
        awaitPresence("offline");

        // Restarted without the (single-use, now spent) enrollment token: the kept credential is enough.
        startAgent(null, "second-agent.log");
        awaitPresence("online");
        JsonNode page = Project.get(url + "/api/v1/machines", token).body();
        assertThat(page.get("items")).hasSize(1);
        assertThat(page.get("items").get(0).get("id").asText()).isEqualTo(machineId);

        List<String> transitions = new ArrayList<>();
        for (JsonNode e : Project.get(url + "/api/v1/machines/" + machineId + "/events", token)
                .body()
                .get("items")) {
            if (e.get("kind").asText().equals("presence")) {
                transitions.add(e.get("toPresence").asText());
            }
        }
        assertThat(transitions).containsExactly("online", "offline", "online");
        JsonNode tokens = Project.get(url + "/api/v1/enrollment-tokens", token).body();
        assertThat(tokens.get(0).get("uses").asInt()).isEqualTo(1);
    }

    @Test
    void shouldStopTheAgentOfARemovedMachineForGood() throws Exception {
        String enroll = Project.post(url + "/api/v1/enrollment-tokens", token, "{\"name\":\"it\",\"maxUses\":5}")
                .body()
                .get("secret")
                .asText();
        Process agent = startAgent(enroll, "agent.log");
        awaitPresence("online");
        assertThat(Project.delete(url + "/api/v1/machines/" + machineId, token).status())
                .isEqualTo(204);
        assertThat(agent.waitFor(10, TimeUnit.SECONDS))
                .as("agent exits once its machine is removed")
                .isTrue();
        assertThat(agent.exitValue()).isEqualTo(78);
        assertThat(Files.readString(work.resolve("agent.log"))).contains("refused this machine's credential");
        assertThat(Project.get(url + "/api/v1/machines/" + machineId, token).status())
                .isEqualTo(404);
    }

    @Test
    void shouldRefuseToStartAnAgentWithAnExpiredOrUnknownEnrollmentToken() throws Exception {
        Process agent = startAgent("fle_unknown", "agent.log");
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(agent.exitValue()).isEqualTo(78);
        assertThat(Files.readString(work.resolve("agent.log"))).contains("enrollment refused (401)");
        assertThat(Files.exists(work.resolve("agent-state/credential.json"))).isFalse();
    }

    private Process startAgent(String enrollToken, String log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                        "java",
                        "-Xmx64m",
                        "-jar",
                        Project.AGENT_JAR.toString(),
                        "--config",
                        work.resolve("none.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(new File(work.resolve(log).toString()));
        Map<String, String> env = pb.environment();
        env.put("FLOTILLA_URL", url);
        env.put("FLOTILLA_AGENT_STATE", work.resolve("agent-state").toString());
        env.put("FLOTILLA_MACHINE_ID_FILE", work.resolve("machine-id").toString());
        env.put("FLOTILLA_LABELS", "role=system-test");
        if (enrollToken != null) {
            env.put("FLOTILLA_ENROLL_TOKEN", enrollToken);
        } else {
            env.remove("FLOTILLA_ENROLL_TOKEN");
        }
        Process p = pb.start();
        processes.add(0, p);
        return p;
    }

    private void awaitPresence(String presence) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    Project.Reply r = Project.get(url + "/api/v1/machines/" + machineId, token);
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.body().get("presence").asText()).isEqualTo(presence);
                });
    }

    private static void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(PG + "postgres", PG_USER, PG_PASSWORD)) {
            c.createStatement().execute(statement);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
