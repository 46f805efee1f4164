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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged service as a process, on a database of its own on the machine's PostgreSQL, with
 * short agent timings; and packaged agents started against it.
 */
final class RunningService implements AutoCloseable {
    static final String PG = env("FLOTILLA_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/");
    static final String PG_USER = env("FLOTILLA_TEST_PG_USER", "postgres");
    static final String PG_PASSWORD = env("FLOTILLA_TEST_PG_PASSWORD", "");

    final Path work;
    final String url;
    final String token;
    final String adminPassword;
    final String machineId;
    private final String database;
    private final List<Process> processes = new ArrayList<>();
    private final ProcessBuilder serviceBuilder;
    private Process service;

    RunningService(String name) throws Exception {
        this(name, Project.freePort(), Map.of());
    }

    /** The service on {@code port}, with {@code settings} added to its environment (FLOTILLA_AUTH_MODE and so on). */
    RunningService(String name, int port, Map<String, String> settings) throws Exception {
        work = Project.workDir(name);
        database = "flotilla_sys_" + Long.toHexString(System.nanoTime());
        sql("create database " + database);
        url = "http://127.0.0.1:" + port;
        Path bootstrap = work.resolve("bootstrap.env");
        ProcessBuilder builder = new ProcessBuilder(
                        "java",
                        "-Dflotilla.bootstrap.file=" + bootstrap,
                        "-Dflotilla.agent.heartbeat-interval=1s",
                        "-Dflotilla.agent.heartbeat-ttl=3s",
                        "-Dflotilla.agent.sweep-every=1s",
                        "-Dflotilla.agent.last-seen-flush=1s",
                        "-Dflotilla.limits.anonymous-per-second=1000000",
                        "-jar",
                        Project.SERVICE_JAR.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("service.log").toFile());
        Map<String, String> env = builder.environment();
        env.put("FLOTILLA_DB_URL", PG + database);
        env.put("FLOTILLA_DB_USER", PG_USER);
        env.put("FLOTILLA_DB_PASSWORD", PG_PASSWORD);
        env.put("FLOTILLA_PORT", String.valueOf(port));
        env.put("FLOTILLA_HOST", "127.0.0.1");
        env.put("FLOTILLA_MANAGEMENT_PORT", String.valueOf(Project.freePort()));
        env.putAll(settings);
        serviceBuilder = builder;
        startService();
        Map<String, String> boot = Project.readEnvFile(bootstrap);
        token = boot.get("FLOTILLA_TOKEN");
        adminPassword = boot.get("FLOTILLA_ADMIN_PASSWORD");
        assertThat(token).startsWith("flt_");
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        machineId = HexFormat.of().formatHex(id);
        Files.writeString(work.resolve("machine-id"), machineId + "\n", StandardCharsets.US_ASCII);
    }

    /** Starts the service process (again), on the same port and database, and waits until it is ready. */
    void startService() throws Exception {
        serviceBuilder.redirectOutput(
                ProcessBuilder.Redirect.appendTo(work.resolve("service.log").toFile()));
        service = serviceBuilder.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> Project.ready(url));
    }

    /**
     * Starts another replica of the service on the same database (a port and log of its own) and
     * returns its URL; it stops with this service.
     */
    Replica startReplica(String name) throws Exception {
        int port = Project.freePort();
        String replicaUrl = "http://127.0.0.1:" + port;
        List<String> command = new ArrayList<>(serviceBuilder.command());
        command.replaceAll(arg -> arg.startsWith("-Dflotilla.bootstrap.file=")
                ? "-Dflotilla.bootstrap.file=" + work.resolve(name + "-bootstrap.env")
                : arg);
        ProcessBuilder b = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile());
        b.environment().putAll(serviceBuilder.environment());
        b.environment().put("FLOTILLA_PORT", String.valueOf(port));
        b.environment().put("FLOTILLA_MANAGEMENT_PORT", String.valueOf(Project.freePort()));
        Process p = b.start();
        processes.add(p);
        await().atMost(Duration.ofSeconds(90)).until(() -> Project.ready(replicaUrl));
        return new Replica(replicaUrl, p);
    }

    /** Another replica of the service: its URL and its process. */
    record Replica(String url, Process process) {}

    /** The first replica as a {@link Replica}. */
    Replica primary() {
        return new Replica(url, service);
    }

    /** Stops the service process (SIGTERM) and waits until it is gone. */
    void stopService() throws Exception {
        service.destroy();
        if (!service.waitFor(30, TimeUnit.SECONDS)) {
            service.destroyForcibly();
        }
    }

    String newEnrollmentToken(int uses) throws Exception {
        return Project.post(url + "/api/v1/enrollment-tokens", token, "{\"name\":\"it\",\"maxUses\":" + uses + "}")
                .body()
                .get("secret")
                .asText();
    }

    /** Starts the packaged agent for this test's machine id; {@code enrollToken} may be null. */
    Process startAgent(String enrollToken, String log) throws Exception {
        return startAgent(enrollToken, log, url);
    }

    /** Starts the packaged agent against {@code serviceUrl} (a replica, say). */
    Process startAgent(String enrollToken, String log, String serviceUrl) throws Exception {
        return startAgent(enrollToken, log, serviceUrl, Map.of());
    }

    /** The same, with {@code extra} added to the agent's environment (FLOTILLA_CA_FILE, say). */
    Process startAgent(String enrollToken, String log, String serviceUrl, Map<String, String> extra) throws Exception {
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
        env.put("FLOTILLA_URL", serviceUrl);
        env.put("FLOTILLA_AGENT_STATE", work.resolve("agent-state").toString());
        env.put("FLOTILLA_MACHINE_ID_FILE", work.resolve("machine-id").toString());
        env.put("FLOTILLA_LABELS", "role=system-test");
        if (enrollToken != null) {
            env.put("FLOTILLA_ENROLL_TOKEN", enrollToken);
        } else {
            env.remove("FLOTILLA_ENROLL_TOKEN");
        }
        env.putAll(extra);
        Process p = pb.start();
        processes.add(0, p);
        return p;
    }

    void awaitPresence(String presence) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    Project.Reply r = Project.get(url + "/api/v1/machines/" + machineId, token);
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.body().get("presence").asText()).isEqualTo(presence);
                });
    }

    @Override
    public void close() throws Exception {
        if (service != null && service.isAlive()) {
            stopService();
        }
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        sql("drop database if exists " + database + " with (force)");
    }

    /** A connection of the test's own to the service's database (to hold a lock, say). */
    Connection connectToDatabase() throws Exception {
        return DriverManager.getConnection(PG + database, PG_USER, PG_PASSWORD);
    }

    static void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(PG + "postgres", PG_USER, PG_PASSWORD)) {
            c.createStatement().execute(statement);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
