package dev.flotilla.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The HA drill: the service as it runs in production, on real engines as processes. Patroni (with
 * etcd as its store) keeps two PostgreSQL 15 servers, a primary and a synchronous standby; three
 * replicas of the packaged service reach the primary through a JDBC URL naming both
 * ({@code targetServerType=primary}); HAProxy balances agents and API calls over the replicas; the
 * swarm's agents connect through HAProxy and report transitions at a steady rate throughout.
 * Then: SIGKILL of the PostgreSQL primary (Patroni and postmaster), SIGKILL of the replica that
 * runs the scheduler, a global unit submitted for every agent, and everything killed started
 * again. Nothing an agent had acknowledged may be lost or stored twice, and no agent may see its
 * desired state's generation go backwards: the only pass/fail. Times are reported.
 */
@Command(
        name = "ha-drill",
        mixinStandardHelpOptions = true,
        description = {
            "Kills the PostgreSQL primary and a service replica under a connected swarm (Patroni + etcd,"
                    + " HAProxy, three replicas, all as processes) and checks that nothing was lost.",
            "",
            "Needs root (Patroni runs PostgreSQL as the postgres user), patroni, etcd-server, haproxy and"
                    + " PostgreSQL 15 (./flotilla test installs them). Exit status: 0 nothing lost; 1 lost,"
                    + " duplicated or the drill could not complete; 2 bad arguments."
        })
final class HaDrill implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String PG_BIN = "/usr/lib/postgresql/15/bin";

    @Option(names = "--quick", description = "200 agents and short phases (about 3 minutes): the CI run")
    boolean quick;

    @Option(names = "--agents", description = "simulated agents (default 1000; 200 with --quick)")
    Integer agents;

    @Option(
            names = "--transitions-per-second",
            description = "transitions the swarm reports a second throughout (default: one per 5 agents)")
    Double rate;

    @Option(
            names = "--service-jar",
            defaultValue = "fleet-service/target/quarkus-app/quarkus-run.jar",
            description = "the packaged service (default ${DEFAULT-VALUE})")
    Path serviceJar;

    @Option(names = "--out", description = "results folder (default load-tests/results/<time>-ha-drill)")
    Path out;

    @Option(names = "--keep", description = "keep the work folder (PostgreSQL data, logs) for a look afterwards")
    boolean keep;

    private final List<Process> processes = new ArrayList<>();
    private final List<ServiceProcess> replicas = new ArrayList<>();
    private final Map<String, Object> report = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Path work;
    private long t0;

    /** One Patroni-managed PostgreSQL: its ports and folders. */
    private record Node(String name, int pgPort, int restPort, Path dataDir, Path config) {}

    @Override
    public Integer call() throws Exception {
        t0 = System.nanoTime();
        int n = agents != null ? agents : quick ? 200 : 1000;
        double perSecond = rate != null ? rate : n / 5.0;
        if (n < 1 || perSecond <= 0) {
            System.err.println("flotilla ha-drill: --agents and --transitions-per-second must be positive");
            return 2;
        }
        for (String tool : new String[] {"/usr/bin/patroni", "/usr/sbin/haproxy", PG_BIN + "/postgres"}) {
            if (!Files.isExecutable(Path.of(tool))) {
                System.err.println("flotilla ha-drill: " + tool + " is missing (apt-get install patroni haproxy"
                        + " postgresql-15 etcd-server; ./flotilla test installs them)");
                return 1;
            }
        }
        if (!Files.exists(serviceJar)) {
            System.err.println("flotilla ha-drill: " + serviceJar + " is missing: build first (./flotilla build)");
            return 1;
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = out != null ? out : Path.of("load-tests", "results", stamp + "-ha-drill");
        Files.createDirectories(dir);
        // Outside the checkout: PostgreSQL runs as postgres, which may not enter a folder under /root.
        work = Files.createTempDirectory(Path.of("/var/tmp"), "flotilla-ha-");
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        log("results in " + dir + "; work files in " + work);
        report.put("agents", n);
        report.put("transitionsPerSecond", perSecond);
        Swarm swarm = null;
        AtomicBoolean driving = new AtomicBoolean(true);
        Thread driver = null;
        WriteProbe probe = null;
        try {
            // etcd, then two Patroni nodes: a leader and a synchronous standby.
            int etcdPort = Baselines.freePort();
            startEtcd(etcdPort);
            List<Node> nodes = List.of(node("pg1", etcdPort), node("pg2", etcdPort));
            for (Node node : nodes) {
                startPatroni(node);
            }
            Node leader = awaitCluster(nodes, true, Duration.ofSeconds(120));
            log("PostgreSQL: leader " + leader.name() + ", synchronous standby ready");
            String hosts = "jdbc:postgresql://127.0.0.1:" + nodes.get(0).pgPort() + ",127.0.0.1:"
                    + nodes.get(1).pgPort() + "/";
            String params = "?targetServerType=primary&hostRecheckSeconds=1&connectTimeout=3&loginTimeout=5";
            try (Database db = new Database(hosts, params, "postgres", "", "flotilla_ha", keep);
                    Database probeDb = new Database(hosts, params, "postgres", "", "flotilla_ha_probe", keep)) {
                // Three replicas, the first alone (it migrates and makes the first account).
                List<Integer> ports = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    Path replicaWork = Files.createDirectories(work.resolve("replica-" + i));
                    int port = Baselines.freePort();
                    ports.add(port);
                    ServiceProcess replica = new ServiceProcess(serviceJar, replicaWork, db, port, List.of("-Xmx512m"));
                    replicas.add(replica);
                    replica.start();
                }
                int proxyPort = Baselines.freePort();
                startHaproxy(proxyPort, ports);
                String url = "http://127.0.0.1:" + proxyPort;
                awaitReady(url, Duration.ofSeconds(30));
                log("3 replicas behind HAProxy at " + url);
                String token = Report.envFile(replicas.get(0).bootstrapFile()).get("FLOTILLA_TOKEN");
                JsonNode created = send(
                        "POST",
                        url + "/api/v1/enrollment-tokens",
                        token,
                        "{\"name\":\"ha-drill\",\"maxUses\":" + (n + 10) + "}");

                swarm = new Swarm(new Swarm.Settings(
                        URI.create(url),
                        created.get("secret").asText(),
                        work.resolve("identities"),
                        "ha",
                        n,
                        20,
                        0,
                        500,
                        2));
                swarm.enroll(16, done -> {});
                swarm.connectAll();
                Swarm fleet = swarm;
                if (!Swarm.await(() -> fleet.stats.online.get() >= n, Duration.ofSeconds(180))
                        || !Swarm.await(fleet::allAcknowledged, Duration.ofSeconds(120))) {
                    throw new IllegalStateException(
                            "the swarm did not connect: " + fleet.stats.online.get() + " of " + n);
                }
                log(n + " agents connected through HAProxy");
                report.put("metricsAfterConnecting", metrics());
                probe = new WriteProbe(probeDb.jdbcUrl());
                probe.start();
                driver = new Thread(
                        () -> {
                            try {
                                fleet.drive(perSecond, driving::get, o -> {});
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "ha-drill-driver");
                driver.start();
                Thread.sleep(quick ? 10_000 : 30_000);

                // 1. The PostgreSQL primary dies.
                long[] beforePrimaryKill = fleet.recordedMarks();
                Node dead = killPrimary(nodes);
                long killed = System.nanoTime();
                Node promoted = awaitLeaderOtherThan(nodes, dead, Duration.ofSeconds(90));
                double promotedAfter = seconds(killed);
                double writable = probe.awaitWriteAfter(killed, Duration.ofSeconds(90));
                boolean caughtUp =
                        Swarm.await(() -> fleet.acknowledgedThrough(beforePrimaryKill), Duration.ofSeconds(120));
                double agentsAcked = seconds(killed);
                Map<String, Object> primary = new LinkedHashMap<>();
                primary.put("killed", dead.name());
                primary.put("promoted", promoted.name());
                primary.put("secondsUntilPatroniPromoted", round(promotedAfter));
                primary.put("writeOutageSeconds", round(writable));
                primary.put("secondsUntilEveryAgentCaughtUp", caughtUp ? round(agentsAcked) : null);
                report.put("primaryKill", primary);
                log(String.format(
                        "primary %s killed: %s promoted after %.1f s, writes back after %.1f s, every agent's"
                                + " transitions up to the kill acknowledged after %.1f s",
                        dead.name(), promoted.name(), promotedAfter, writable, agentsAcked));
                if (!caughtUp) {
                    failures.add("120 s after the primary's kill, transitions from before it were unacknowledged");
                }

                // 2. The replica running the scheduler dies.
                int leaderIndex = schedulerLeader();
                ServiceProcess victim = replicas.get(leaderIndex);
                long[] beforeReplicaKill = fleet.recordedMarks();
                victim.kill();
                long replicaKilled = System.nanoTime();
                List<ServiceProcess> alive = new ArrayList<>(replicas);
                alive.remove(victim);
                boolean takenOver = Swarm.await(() -> alive.stream().anyMatch(this::leads), Duration.ofSeconds(60));
                double takeover = seconds(replicaKilled);
                boolean back = Swarm.await(
                        () -> fleet.stats.online.get() >= n && fleet.acknowledgedThrough(beforeReplicaKill),
                        Duration.ofSeconds(120));
                double agentsBack = seconds(replicaKilled);
                Map<String, Object> replica = new LinkedHashMap<>();
                replica.put("killed", "replica-" + (leaderIndex + 1) + " (the scheduler's leader)");
                replica.put("secondsUntilAnotherLeads", takenOver ? round(takeover) : null);
                replica.put("secondsUntilEveryAgentBackAndCaughtUp", back ? round(agentsBack) : null);
                report.put("replicaKill", replica);
                log(String.format(
                        "replica-%d killed: another leads after %.1f s, every agent back after %.1f s",
                        leaderIndex + 1, takeover, agentsBack));
                if (!takenOver) {
                    failures.add("no replica took the scheduler over within 60 s");
                }
                if (!back) {
                    failures.add("agents not all back within 120 s of the replica's kill");
                }

                // 3. A global unit reaches every agent, on what remains.
                fleet.watchDesired("ha-drill.service");
                long submitted = System.nanoTime();
                send(
                        "PUT",
                        url + "/api/v1/units/ha-drill.service",
                        token,
                        "{\"content\":\"[Service]\\nExecStart=/bin/sleep infinity\\n[X-Fleet]\\nGlobal=true\\n\"}");
                boolean fannedOut = Swarm.await(() -> fleet.desiredTimesMillis().size() >= n, Duration.ofSeconds(60));
                report.put("fanOutSecondsAfterFaults", fannedOut ? round(seconds(submitted)) : null);
                if (!fannedOut) {
                    failures.add("the global unit reached "
                            + fleet.desiredTimesMillis().size() + " of " + n + " agents");
                }

                // 4. Everything killed comes back.
                long restart = System.nanoTime();
                startPatroni(dead);
                victim.start();
                awaitCluster(nodes, false, Duration.ofSeconds(120));
                report.put("secondsUntilKilledNodesBack", round(seconds(restart)));
                log("killed PostgreSQL node and replica back (" + dead.name() + " a standby again)");
                Thread.sleep(quick ? 5_000 : 15_000);

                // The check: stop reporting, let everything be acknowledged, compare.
                driving.set(false);
                driver.join();
                if (!Swarm.await(fleet::allAcknowledged, Duration.ofSeconds(120))) {
                    failures.add("transitions still unacknowledged 120 s after the drill");
                }
                probe.stop();
                Swarm.Check check = fleet.check(db);
                Map<String, Object> lost = new LinkedHashMap<>();
                lost.put("transitionsObserved", check.observed());
                lost.put("transitionsStored", check.stored());
                lost.put("machinesWithMissingOrExtraTransitions", check.machinesDiffer());
                lost.put("unitStatesDiffering", check.statesDiffer());
                lost.put("droppedInGapRecords", check.dropped());
                lost.put("desiredGenerationsThatWentBack", fleet.desiredGenerationsBack.get());
                report.put("nothingLost", lost);
                log(String.format(
                        "check: %d transitions observed, %d stored; %d machines differ; %d states differ;"
                                + " %d desired generations went back",
                        check.observed(),
                        check.stored(),
                        check.machinesDiffer(),
                        check.statesDiffer(),
                        fleet.desiredGenerationsBack.get()));
                if (!check.nothingLost()) {
                    failures.add("lost or duplicated: " + check);
                }
                if (fleet.desiredGenerationsBack.get() > 0) {
                    failures.add(fleet.desiredGenerationsBack.get() + " desired states went back a generation");
                }
                report.put("metricsAtTheEnd", metrics());
                List<String> agentLog = fleet.takeAgentLog();
                report.put("agentWarnings", agentLog);
            }
        } catch (Exception e) {
            failures.add("the drill stopped: " + e);
            e.printStackTrace();
        } finally {
            driving.set(false);
            if (driver != null) {
                driver.join(5_000);
            }
            if (probe != null) {
                probe.stop();
            }
            if (swarm != null) {
                swarm.close();
            }
            stopAll();
        }
        report.put("seconds", round(seconds(t0)));
        report.put("failures", failures);
        Files.writeString(dir.resolve("ha-drill.json"), JSON.writeValueAsString(report));
        Files.writeString(dir.resolve("ha-drill.md"), markdown());
        System.out.println(Files.readString(dir.resolve("ha-drill.md")));
        if (!keep) {
            deleteWork();
        }
        if (!failures.isEmpty()) {
            failures.forEach(f -> System.err.println("FAILED: " + f));
            return 1;
        }
        return 0;
    }

    private Node node(String name, int etcdPort) throws IOException, InterruptedException {
        int pgPort = Baselines.freePort();
        int restPort = Baselines.freePort();
        Path home = Files.createDirectories(work.resolve(name));
        Path dataDir = home.resolve("data");
        Path socket = Files.createDirectories(home.resolve("socket"));
        Path config = home.resolve("patroni.yml");
        Files.writeString(config, """
                scope: flotilla-ha-%1$s
                namespace: /flotilla-ha/
                name: %2$s
                restapi:
                  listen: 127.0.0.1:%3$d
                  connect_address: 127.0.0.1:%3$d
                etcd3:
                  hosts: 127.0.0.1:%4$d
                bootstrap:
                  dcs:
                    ttl: 10
                    loop_wait: 2
                    retry_timeout: 4
                    maximum_lag_on_failover: 1048576
                    synchronous_mode: true
                    postgresql:
                      use_pg_rewind: true
                      parameters:
                        wal_log_hints: "on"
                        max_connections: 200
                  initdb:
                    - encoding: UTF8
                    - auth: trust
                  pg_hba:
                    - local all all trust
                    - host replication all 127.0.0.1/32 trust
                    - host all all 127.0.0.1/32 trust
                postgresql:
                  listen: 127.0.0.1:%5$d
                  connect_address: 127.0.0.1:%5$d
                  data_dir: %6$s
                  bin_dir: %7$s
                  pgpass: %8$s
                  authentication:
                    replication:
                      username: replicator
                      password: replicator
                    superuser:
                      username: postgres
                      password: postgres
                    rewind:
                      username: postgres
                      password: postgres
                  parameters:
                    unix_socket_directories: %9$s
                """.formatted(
                work.getFileName(), name, restPort, etcdPort, pgPort, dataDir, PG_BIN, home.resolve("pgpass"), socket));
        chownToPostgres(home);
        return new Node(name, pgPort, restPort, dataDir, config);
    }

    private void startEtcd(int clientPort) throws Exception {
        int peerPort = Baselines.freePort();
        String endpoint = "http://127.0.0.1:" + clientPort;
        processes.add(new ProcessBuilder(
                        "/usr/bin/etcd",
                        "--name",
                        "ha",
                        "--data-dir",
                        work.resolve("etcd").toString(),
                        "--listen-client-urls",
                        endpoint,
                        "--advertise-client-urls",
                        endpoint,
                        "--listen-peer-urls",
                        "http://127.0.0.1:" + peerPort,
                        "--initial-advertise-peer-urls",
                        "http://127.0.0.1:" + peerPort,
                        "--initial-cluster",
                        "ha=http://127.0.0.1:" + peerPort)
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("etcd.log").toFile())
                .start());
        awaitReady(endpoint, Duration.ofSeconds(30), "/health");
    }

    private void startPatroni(Node node) throws IOException {
        List<String> command = new ArrayList<>();
        if (isRoot()) {
            command.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"));
        }
        command.addAll(List.of("/usr/bin/patroni", node.config().toString()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(node.config().getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        node.config().resolveSibling("patroni.log").toFile()));
        pb.environment().put("HOME", node.config().getParent().toString());
        processes.add(pb.start());
    }

    private void startHaproxy(int port, List<Integer> backends) throws IOException {
        StringBuilder servers = new StringBuilder();
        for (int i = 0; i < backends.size(); i++) {
            servers.append("  server r")
                    .append(i + 1)
                    .append(" 127.0.0.1:")
                    .append(backends.get(i))
                    .append(" check\n");
        }
        Path config = work.resolve("haproxy.cfg");
        Files.writeString(config, """
                global
                  maxconn 8000
                defaults
                  mode http
                  timeout connect 2s
                  timeout client 1h
                  timeout server 1h
                  timeout tunnel 1h
                  timeout http-request 10s
                  option redispatch
                  retries 2
                frontend fleet
                  bind 127.0.0.1:%d
                  default_backend replicas
                backend replicas
                  balance leastconn
                  option httpchk GET /q/health/ready
                  http-check expect status 200
                  default-server inter 1s fall 2 rise 2
                %s""".formatted(port, servers));
        processes.add(new ProcessBuilder("/usr/sbin/haproxy", "-db", "-f", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("haproxy.log").toFile())
                .start());
    }

    /** Waits until both nodes run, one the leader (and, when asked, the other its synchronous standby). */
    private Node awaitCluster(List<Node> nodes, boolean needSync, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            for (Node asked : nodes) {
                JsonNode cluster = patroni(asked, "/cluster");
                if (cluster == null) {
                    continue;
                }
                String leader = null;
                boolean sync = false;
                int running = 0;
                for (JsonNode m : cluster.path("members")) {
                    String state = m.path("state").asText();
                    boolean up = state.equals("running") || state.equals("streaming");
                    if (up) {
                        running++;
                    }
                    if (m.path("role").asText().equals("leader") && up) {
                        leader = m.path("name").asText();
                    }
                    if (m.path("role").asText().equals("sync_standby") && up) {
                        sync = true;
                    }
                }
                if (leader != null && running == nodes.size() && (sync || !needSync)) {
                    String name = leader;
                    return nodes.stream()
                            .filter(x -> x.name().equals(name))
                            .findFirst()
                            .orElseThrow();
                }
                break;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the Patroni cluster did not become ready within " + timeout.toSeconds()
                + " s; see " + work + "/pg*/patroni.log");
    }

    private Node killPrimary(List<Node> nodes) throws Exception {
        for (Node node : nodes) {
            JsonNode me = patroni(node, "/patroni");
            if (me != null && me.path("role").asText().equals("master")
                    || me != null && me.path("role").asText().equals("primary")) {
                long postmaster =
                        Long.parseLong(Files.readAllLines(node.dataDir().resolve("postmaster.pid"))
                                .get(0)
                                .trim());
                long patroni = me.path("patroni").path("pid").asLong(-1);
                // Patroni first (or it would restart PostgreSQL), then the postmaster: a dead machine.
                for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
                    if (p.info().commandLine().orElse("").contains(node.config().toString())) {
                        p.destroyForcibly();
                    }
                }
                if (patroni > 0) {
                    ProcessHandle.of(patroni).ifPresent(ProcessHandle::destroyForcibly);
                }
                new ProcessBuilder("kill", "-9", String.valueOf(postmaster))
                        .start()
                        .waitFor();
                log("SIGKILL to " + node.name() + " (Patroni and postmaster " + postmaster + ")");
                return node;
            }
        }
        throw new IllegalStateException("no Patroni node says it is the primary");
    }

    private Node awaitLeaderOtherThan(List<Node> nodes, Node dead, Duration timeout) throws Exception {
        Node other = nodes.stream().filter(x -> x != dead).findFirst().orElseThrow();
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            JsonNode me = patroni(other, "/patroni");
            if (me != null
                    && me.path("state").asText().equals("running")
                    && List.of("master", "primary").contains(me.path("role").asText())) {
                return other;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Patroni promoted nobody within " + timeout.toSeconds() + " s");
    }

    private JsonNode patroni(Node node, String path) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.restPort() + path))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * A few of the operators' metrics, from every replica's management port: agents connected
     * (summed), machines online and the database's state (each replica counts the same fleet),
     * transitions whose ingest lag was measured (summed).
     */
    private Map<String, Object> metrics() {
        double agents = 0;
        double online = 0;
        double databaseUp = 1;
        double lagged = 0;
        for (ServiceProcess r : replicas) {
            try {
                String text = http.send(
                                HttpRequest.newBuilder(URI.create(r.managementUrl() + "/q/metrics"))
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                agents += sample(text, "flotilla_agents_connected");
                online = Math.max(online, sample(text, "flotilla_machines{presence=\"online\"}"));
                databaseUp = Math.min(databaseUp, sample(text, "flotilla_database_up"));
                lagged += sample(text, "flotilla_ingest_lag_seconds_count");
            } catch (Exception e) {
                databaseUp = -1; // a replica did not answer
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("flotilla_agents_connected (sum)", agents);
        m.put("flotilla_machines{presence=online} (max)", online);
        m.put("flotilla_database_up (min)", databaseUp);
        m.put("flotilla_ingest_lag_seconds_count (sum)", lagged);
        return m;
    }

    private static double sample(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        return 0;
    }

    /** The index of the replica whose readiness says it runs the scheduler. */
    private int schedulerLeader() throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            for (int i = 0; i < replicas.size(); i++) {
                if (leads(replicas.get(i))) {
                    return i;
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no replica runs the scheduler");
    }

    private boolean leads(ServiceProcess replica) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(replica.url() + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode check : JSON.readTree(r.body()).path("checks")) {
                if (check.path("name").asText().equals("scheduler-leader")) {
                    return check.path("data").path("leader").asBoolean();
                }
            }
        } catch (Exception e) {
            // not answering: not leading
        }
        return false;
    }

    private JsonNode send(String method, String url, String token, String body) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private void awaitReady(String url, Duration timeout) throws Exception {
        awaitReady(url, timeout, "/q/health/ready");
    }

    private void awaitReady(String base, Duration timeout, String path) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            try {
                HttpResponse<Void> r = http.send(
                        HttpRequest.newBuilder(URI.create(base + path))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(base + path + " did not answer 200 within " + timeout.toSeconds() + " s");
    }

    /** Writes a row every 100 ms through the two-host URL: when writes stopped and started again. */
    private static final class WriteProbe {
        private final String url;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong lastSuccess = new AtomicLong();
        private Thread thread;

        WriteProbe(String url) {
            this.url = url;
        }

        void start() throws SQLException {
            try (Connection c = DriverManager.getConnection(url, "postgres", "");
                    Statement s = c.createStatement()) {
                s.execute("create table if not exists probe (at timestamptz not null default now())");
            }
            thread = new Thread(this::run, "ha-drill-write-probe");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            Connection c = null;
            while (running.get()) {
                try {
                    if (c == null) {
                        java.util.Properties p = new java.util.Properties();
                        p.setProperty("user", "postgres");
                        p.setProperty("socketTimeout", "2");
                        c = DriverManager.getConnection(url, p);
                    }
                    try (Statement s = c.createStatement()) {
                        s.execute("insert into probe default values");
                    }
                    lastSuccess.set(System.nanoTime());
                } catch (SQLException e) {
                    closeQuietly(c);
                    c = null;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
            closeQuietly(c);
        }

        /** Seconds from {@code since} to the first committed write after it. */
        double awaitWriteAfter(long since, Duration timeout) throws InterruptedException {
            if (!Swarm.await(() -> lastSuccess.get() != 0 && lastSuccess.get() - since > 0, timeout)) {
                throw new IllegalStateException("no write succeeded within " + timeout.toSeconds() + " s");
            }
            return (lastSuccess.get() - since) / 1e9;
        }

        void stop() throws InterruptedException {
            running.set(false);
            if (thread != null) {
                thread.join(5_000);
            }
        }

        private static void closeQuietly(Connection c) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (SQLException ignored) {
                // a broken connection
            }
        }
    }

    private void stopAll() throws InterruptedException {
        for (ServiceProcess r : replicas) {
            r.stop();
        }
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        // Postmasters whose Patroni was killed, and any left behind.
        for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
            if (p.info().commandLine().orElse("").contains(work.toString())) {
                p.destroyForcibly();
            }
        }
    }

    private void deleteWork() throws IOException {
        try (var paths = Files.walk(work)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void chownToPostgres(Path dir) throws IOException, InterruptedException {
        if (isRoot()) {
            new ProcessBuilder("chown", "-R", "postgres:postgres", dir.toString())
                    .inheritIO()
                    .start()
                    .waitFor();
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private String markdown() {
        StringBuilder md = new StringBuilder("# HA drill\n\n");
        md.append("Patroni + etcd with two PostgreSQL 15 servers (synchronous standby), three service replicas behind"
                        + " HAProxy, ")
                .append(report.get("agents"))
                .append(" agents reporting ")
                .append(report.get("transitionsPerSecond"))
                .append(" transitions a second throughout.\n\n| what | figure |\n|---|---|\n");
        flatten("", report, md);
        md.append("\n")
                .append(failures.isEmpty() ? "Nothing lost, nothing stored twice.\n" : "FAILED: " + failures + "\n");
        return md.toString();
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Map<String, Object> map, StringBuilder md) {
        map.forEach((k, v) -> {
            if (v instanceof Map<?, ?> m) {
                flatten(prefix + k + ".", (Map<String, Object>) m, md);
            } else if (!(v instanceof List<?>)) {
                md.append("| ").append(prefix).append(k).append(" | ").append(v).append(" |\n");
            }
        });
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static double round(double s) {
        return Math.round(s * 10) / 10.0;
    }

    private void log(String message) {
        System.out.printf("[%6.1f s] %s%n", seconds(t0), message);
    }
}
