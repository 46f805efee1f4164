package dev.flotilla.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

import org.HdrHistogram.Histogram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./flotilla bench}: the standard scenarios against a fresh service on a fresh database,
 * with the swarm in this process, then the baselines; writes {@code results/<time>/} with every
 * figure as JSON, a Markdown summary and PNG charts. Prints numbers; fails only when a scenario
 * could not complete or a transition was lost.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Runs Flotilla's benchmark: connect storm, steady state, fan-out of a global unit, ingest ceiling and"
                    + " reconnect storm, against a fresh packaged service and a fresh database on the given PostgreSQL"
                    + " server, with N simulated agents in this process; then the pgbench and etcd baselines.",
            "Results go to load-tests/results/<time>/ (results.json, summary.md, *.png).",
            "Exit status: 0 done (whatever the figures); 1 a scenario or baseline could not complete (a missing"
                    + " pgbench or etcd included: see the message) or a transition was lost; 2 bad arguments.",
            "",
            "Examples:",
            "  ./flotilla bench --quick             # 500 agents, about 2 minutes (what CI runs)",
            "  ./flotilla bench                     # 10,000 agents, about 10 minutes"
        })
final class Bench implements Callable<Integer> {
    static final String PREFIX = "swarm";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--quick", description = "500 agents and short phases (about 2 minutes): CI's smoke run")
    boolean quick;

    @Option(names = "--agents", description = "simulated agents (default 10000; 500 with --quick)")
    Integer agents;

    @Option(
            names = "--transitions-per-minute",
            defaultValue = "1",
            description = "unit transitions per host per minute in the steady state (default ${DEFAULT-VALUE})")
    double perMinute;

    @Option(
            names = "--db-url",
            defaultValue = "${env:FLOTILLA_BENCH_DB_URL:-jdbc:postgresql://127.0.0.1:5432/}",
            description = "PostgreSQL server; a fresh database is made on it and dropped after (default"
                    + " FLOTILLA_BENCH_DB_URL or ${DEFAULT-VALUE})")
    String dbUrl;

    @Option(
            names = "--db-user",
            defaultValue = "${env:FLOTILLA_BENCH_DB_USER:-postgres}",
            description = "default ${DEFAULT-VALUE}")
    String dbUser;

    @Option(
            names = "--db-password",
            defaultValue = "${env:FLOTILLA_BENCH_DB_PASSWORD:-}",
            description = "default empty")
    String dbPassword;

    @Option(names = "--keep-db", description = "keep the benchmark's database afterwards")
    boolean keepDb;

    @Option(
            names = "--service-jar",
            defaultValue = "fleet-service/target/quarkus-app/quarkus-run.jar",
            description = "the packaged service (default ${DEFAULT-VALUE})")
    Path serviceJar;

    @Option(
            names = "--service-jvm-options",
            defaultValue = "-Xmx512m -XX:+UseG1GC",
            description = "JVM options of the service (default ${DEFAULT-VALUE})")
    String serviceJvmOptions;

    @Option(names = "--out", description = "results folder (default load-tests/results/<time>)")
    Path out;

    @Option(names = "--no-baselines", description = "skip pgbench and etcd")
    boolean noBaselines;

    @Option(
            names = "--scenario",
            defaultValue = "standard",
            description = "standard (the scenarios above), or noisy-neighbour: organization B's latencies alone and"
                    + " while organization A attacks with everything its roles allow (--agents is B's, default 1000;"
                    + " 200 with --quick)")
    String scenario;

    @Option(
            names = "--attacks",
            split = ",",
            description = "noisy-neighbour only: the abuses to run (default all: units, questions, live-views,"
                    + " agent-flood, sign-in-guessing, api-spam)")
    List<String> attacks;

    @Option(names = "--steady-seconds", description = "length of the steady state (default 120; 20 with --quick)")
    Integer steadySeconds;

    static final List<String> SCENARIOS = List.of("steady", "fan-out", "ingest", "reconnect");

    @Option(
            names = "--scenarios",
            split = ",",
            description = "standard scenario only: which to run after the connect storm (default all: steady, fan-out,"
                    + " ingest, reconnect); enrollment, the connect storm and the nothing-lost check always run")
    List<String> scenarios;

    @Option(
            names = "--curve",
            split = ",",
            paramLabel = "N",
            description = "the scale curve: the standard scenarios but the ingest ceiling (unless --scenarios says"
                    + " otherwise) at each of these numbers of agents, each on a fresh database and service, then one"
                    + " report with every figure against the number of agents (curve.md, curve.json, curve-*.png)")
    List<Integer> curve;

    @Option(
            names = "--service-cpus",
            paramLabel = "LIST",
            description = "run the service on these CPUs only (taskset -c LIST, e.g. 0): how the storms grow on a"
                    + " machine with less CPU for the service (PostgreSQL and the swarm keep every CPU)")
    String serviceCpus;

    private Report report;
    private Swarm swarm;
    private ServiceProcess service;
    private ApiProbes probes;
    private Sampler sampler;
    private final Map<String, Histogram> ackBy = new LinkedHashMap<>();
    private final Map<String, Histogram> apiBy = new LinkedHashMap<>();
    private volatile String phase = "setup";
    private int ceilingBatch = 1;
    private HttpClient http;
    private String token;
    private final List<String> failures = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (!scenario.equals("standard") && !scenario.equals("noisy-neighbour")) {
            System.err.println("flotilla bench: --scenario must be standard or noisy-neighbour");
            return 2;
        }
        if (scenario.equals("noisy-neighbour")) {
            return noisyNeighbour();
        }
        if (curve != null) {
            return new Curve(this).run();
        }
        int n = agents != null ? agents : quick ? 500 : 10_000;
        List<String> chosen = scenarios == null ? SCENARIOS : scenarios;
        if (!SCENARIOS.containsAll(chosen)) {
            System.err.println("flotilla bench: --scenarios takes " + String.join(",", SCENARIOS));
            return 2;
        }
        if (n < 1 || perMinute <= 0) {
            System.err.println("flotilla bench: --agents must be at least 1 and --transitions-per-minute above 0");
            return 2;
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = out != null ? out : Path.of("load-tests", "results", stamp + (quick ? "-quick" : ""));
        Files.createDirectories(dir);
        Path work = Files.createTempDirectory("flotilla-bench-");
        report = new Report(dir, n, quick);
        log("results in " + dir + "; work files in " + work);
        long benchStart = System.nanoTime();
        try (Database db =
                new Database(dbUrl, dbUser, dbPassword, "flotilla_bench_" + stamp.replace('-', '_'), keepDb)) {
            List<String> jvm =
                    new ArrayList<>(Arrays.asList(serviceJvmOptions.trim().split("\\s+")));
            // Garbage collections, for when a latency tail needs explaining.
            jvm.add("-Xlog:gc:file=" + work.resolve("service-gc.log") + ":time,uptime");
            service = new ServiceProcess(serviceJar, work, db, Baselines.freePort(), jvm);
            if (serviceCpus != null) {
                service.onCpus(serviceCpus);
                report.put("service", "cpus", serviceCpus);
            }
            long bootMillis = service.start();
            report.put("service", "firstStartMillis", bootMillis);
            token = Report.envFile(service.bootstrapFile()).get("FLOTILLA_TOKEN");
            http = HttpClient.newHttpClient();
            JsonNode created = send(
                    http,
                    "POST",
                    service.url() + "/api/v1/enrollment-tokens",
                    token,
                    "{\"name\":\"bench\",\"maxUses\":" + (n + 10) + "}");
            String orgId;
            try (Connection c = db.connect();
                    var r = c.createStatement().executeQuery("select id from organization limit 1")) {
                r.next();
                orgId = r.getString(1);
            }
            swarm = new Swarm(new Swarm.Settings(
                    URI.create(service.url()),
                    created.get("secret").asText(),
                    work.resolve("identities"),
                    PREFIX,
                    n,
                    50, // units per host in the steady state (load-tests/README.md)
                    2, // containers per host: a transition is a container's about one time in 26
                    500,
                    // One HTTP client (one selector thread) per 1,000 agents: with two, the
                    // clients' own selector threads could not complete 10,000 opening handshakes
                    // within the agents' 10 s connect timeout, and the storm measured the swarm.
                    Math.max(2, Math.min(16, n / 1000))));
            probes = new ApiProbes(http, service.url(), token, swarm.timers(), 20, 20, 20);
            sampler = new Sampler(service, swarm, probes, report, this::phase, ackBy, apiBy);
            sampler.start();

            enroll(n);
            connectStorm(n, db);
            if (chosen.contains("steady")) {
                steadyState(n, db, steadySeconds != null ? steadySeconds : quick ? 20 : 120);
            }
            if (chosen.contains("fan-out")) {
                fanOut(n, http, token);
            }
            if (chosen.contains("ingest")) {
                ingestCeiling(n);
            }
            if (chosen.contains("reconnect")) {
                reconnectStorm(n);
            }
            phase = "check";
            nothingLost(db);
            sampler.stop();
            report.series(sampler.rows());
            swarm.close();
            service.stop();
            if (!noBaselines) {
                phase = "baselines";
                int seconds = quick ? 8 : 30;
                log("baseline: pgbench, " + seconds + " s");
                report.baseline(Baselines.pgbench(db, work, orgId, PREFIX, n, ceilingBatch, 16, seconds));
                log("baseline: etcd, " + seconds + " s");
                report.baseline(Baselines.etcd(work, n, 64, seconds));
            }
        } catch (Exception e) {
            failures.add("the benchmark stopped: " + e);
            e.printStackTrace();
        } finally {
            if (swarm != null) {
                swarm.close();
            }
            if (service != null) {
                service.stop();
            }
        }
        report.put("run", "seconds", (System.nanoTime() - benchStart) / 1e9);
        report.put("run", "failures", failures);
        report.histograms(ackBy, apiBy);
        report.write();
        log("wrote " + dir.resolve("summary.md"));
        System.out.println(Files.readString(dir.resolve("summary.md")));
        if (!failures.isEmpty()) {
            failures.forEach(f -> System.err.println("FAILED: " + f));
            return 1;
        }
        return 0;
    }

    /** A copy of this bench's settings for one size of the scale curve (no baselines, its own folder). */
    Bench forSize(int n, Path dir) {
        Bench b = new Bench();
        b.agents = n;
        b.out = dir;
        b.perMinute = perMinute;
        b.dbUrl = dbUrl;
        b.dbUser = dbUser;
        b.dbPassword = dbPassword;
        b.keepDb = keepDb;
        b.serviceJar = serviceJar;
        b.serviceJvmOptions = serviceJvmOptions;
        b.serviceCpus = serviceCpus;
        b.noBaselines = true;
        b.scenario = "standard";
        b.steadySeconds = steadySeconds != null ? steadySeconds : 60;
        b.scenarios = scenarios != null ? scenarios : List.of("steady", "fan-out", "reconnect");
        return b;
    }

    String phase() {
        return phase;
    }

    private int noisyNeighbour() throws Exception {
        int n = agents != null ? agents : quick ? 200 : 1000;
        int seconds = steadySeconds != null ? steadySeconds : quick ? 20 : 60;
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = out != null ? out : Path.of("load-tests", "results", stamp + "-noisy-neighbour");
        Path work = Files.createTempDirectory("flotilla-bench-");
        log("results in " + dir + "; work files in " + work);
        try (Database db =
                new Database(dbUrl, dbUser, dbPassword, "flotilla_bench_" + stamp.replace('-', '_'), keepDb)) {
            List<String> jvm =
                    new ArrayList<>(Arrays.asList(serviceJvmOptions.trim().split("\\s+")));
            List<String> chosen = attacks == null ? NoisyNeighbour.ATTACKS : attacks;
            if (!NoisyNeighbour.ATTACKS.containsAll(chosen)) {
                System.err.println("flotilla bench: --attacks takes " + String.join(",", NoisyNeighbour.ATTACKS));
                return 2;
            }
            return new NoisyNeighbour(serviceJar, jvm, db, work, dir, n, seconds, new java.util.LinkedHashSet<>(chosen))
                    .run();
        }
    }

    /** Ends a phase: what the agents complained about during it goes to the log and the report. */
    private void agentLog(String section) {
        List<String> lines = swarm.takeAgentLog();
        if (!lines.isEmpty()) {
            report.put(section, "agentWarnings", lines);
            lines.forEach(l -> log("  agents: " + l));
        }
    }

    private void enroll(int n) throws Exception {
        phase = "enroll";
        long t0 = System.nanoTime();
        int enrolled = swarm.enroll(32, done -> {
            if (done % 1000 == 0) {
                log("enrolled " + done + "/" + n);
            }
        });
        double s = (System.nanoTime() - t0) / 1e9;
        report.put("enroll", "hosts", enrolled);
        report.put("enroll", "seconds", s);
        report.put("enroll", "perSecond", enrolled / s);
        log(String.format("enrolled %d hosts in %.1f s (%.0f/s)", enrolled, s, enrolled / s));
    }

    /** Scenario 1: every agent connects at once; time until all are welcomed (online in the database). */
    private void connectStorm(int n, Database db) throws Exception {
        phase = "connect-storm";
        long t0 = System.nanoTime();
        swarm.connectAll();
        boolean all = Swarm.await(() -> swarm.stats.online.get() >= n, Duration.ofSeconds(180));
        double s = (System.nanoTime() - t0) / 1e9;
        int online = db.count("select count(*) from machine where presence = 'online'");
        report.put("connectStorm", "agents", n);
        report.put("connectStorm", "secondsUntilAllOnline", all ? s : null);
        report.put("connectStorm", "onlineInDatabase", online);
        report.put("connectStorm", "refusedAgents", swarm.stats.refused.get());
        agentLog("connectStorm");
        log(String.format(
                "connect storm: %d/%d online after %.1f s (database says %d)", swarm.stats.online.get(), n, s, online));
        if (!all || online != n) {
            failures.add("connect storm: " + swarm.stats.online.get() + " of " + n + " online, database " + online);
        }
        boolean settled = Swarm.await(swarm::allAcknowledged, Duration.ofSeconds(120));
        report.put("connectStorm", "secondsUntilSnapshotsStored", (System.nanoTime() - t0) / 1e9);
        if (!settled) {
            failures.add("connect storm: snapshots not all acknowledged within 120 s");
        }
    }

    /**
     * Waits until the service is quiet after the connect storm (its CPU under 30 % of a core for
     * three seconds in a row, at most 60 s): the steady state starts steady. The time is reported.
     */
    private void settle() throws Exception {
        long t0 = System.nanoTime();
        int quiet = 0;
        ServiceProcess.Usage last = service.usage();
        while (quiet < 3 && System.nanoTime() - t0 < 60_000_000_000L) {
            Thread.sleep(1000);
            ServiceProcess.Usage now = service.usage();
            quiet = last != null && now != null && now.cpuSeconds() - last.cpuSeconds() < 0.3 ? quiet + 1 : 0;
            last = now;
        }
        double s = (System.nanoTime() - t0) / 1e9;
        report.put("steadyState", "settleSeconds", s);
        log(String.format("settled after %.0f s", s));
    }

    /** Scenario 2: heartbeats and transitions at the set rate; latency, resources, database growth. */
    private void steadyState(int n, Database db, int seconds) throws Exception {
        phase = "settle";
        settle();
        phase = "steady-state";
        double rate = n * perMinute / 60.0;
        long sizeBefore = db.sizeBytes();
        ServiceProcess.Usage before = service.usage();
        double swarmBefore = Cpu.secondsOf(ProcessHandle.current().pid());
        log(String.format("steady state: %.1f transitions/s for %d s", rate, seconds));
        probes.enable(true);
        long t0 = System.nanoTime();
        long sent0 = swarm.stats.sent.sum();
        swarm.drive(rate, () -> System.nanoTime() - t0 < seconds * 1_000_000_000L, probes::offer);
        probes.enable(false);
        Swarm.await(swarm::allAcknowledged, Duration.ofSeconds(30));
        ServiceProcess.Usage after = service.usage();
        double elapsed = (System.nanoTime() - t0) / 1e9;
        report.put(
                "steadyState",
                "swarmCpuPercentOfOneCore",
                100 * (Cpu.secondsOf(ProcessHandle.current().pid()) - swarmBefore) / elapsed);
        report.put("steadyState", "agents", n);
        report.put("steadyState", "seconds", seconds);
        report.put("steadyState", "offeredPerSecond", rate);
        report.put("steadyState", "transitions", swarm.stats.sent.sum() - sent0);
        report.put("steadyState", "databaseGrowthBytes", db.sizeBytes() - sizeBefore);
        report.put("steadyState", "apiProbeTimeouts", probes.timeouts.get());
        agentLog("steadyState");
        if (before != null && after != null) {
            report.put(
                    "steadyState",
                    "serviceCpuPercentOfOneCore",
                    100 * (after.cpuSeconds() - before.cpuSeconds()) / elapsed);
            report.put("steadyState", "serviceRssBytesAtEnd", after.rssBytes());
        }
        // What the fleet costs at rest: the heap after a full collection, the database's size and
        // rows (read after the CPU figures above: the collection is not in them).
        report.put("steadyState", "serviceHeapAfterGcBytes", service.heapAfterGcBytes());
        ServiceProcess.Usage afterGc = service.usage();
        if (afterGc != null) {
            report.put("steadyState", "serviceRssBytesAfterGc", afterGc.rssBytes());
        }
        report.put("steadyState", "databaseBytes", db.sizeBytes());
        Map<String, Long> rows = db.rowsByTable();
        report.put(
                "steadyState",
                "databaseRows",
                rows.values().stream().mapToLong(Long::longValue).sum());
        report.put("steadyState", "databaseRowsByTable", rows);
        report.put("steadyState", "swarmRssBytes", Cpu.ownRssBytes());
    }

    /** Scenario 4: a global unit submitted; time until every agent holds it, and until all report it active. */
    private void fanOut(int n, HttpClient http, String token) throws Exception {
        phase = "fan-out";
        String unit = "bench-global.service";
        String content =
                "[Unit]\nDescription=benchmark global unit\n\n[Service]\nExecStart=/bin/sleep infinity\n\n[X-Fleet]\nGlobal=true\n";
        swarm.watchDesired(unit);
        long t0 = System.nanoTime();
        send(
                http,
                "PUT",
                service.url() + "/api/v1/units/" + unit,
                token,
                JSON.writeValueAsString(Map.of("content", content, "target", "launched")));
        double submitMillis = (System.nanoTime() - t0) / 1e6;
        boolean all = Swarm.await(() -> swarm.desiredTimesMillis().size() >= n, Duration.ofSeconds(120));
        List<Double> times = swarm.desiredTimesMillis();
        double allMillis = times.isEmpty() ? Double.NaN : times.get(times.size() - 1);
        boolean active = Swarm.await(
                () -> {
                    try {
                        return send(http, "GET", service.url() + "/api/v1/units/" + unit, token, null)
                                        .path("active")
                                        .asInt()
                                >= n;
                    } catch (Exception e) {
                        return false;
                    }
                },
                Duration.ofSeconds(120));
        double activeMillis = (System.nanoTime() - t0) / 1e6;
        report.put("fanOut", "agents", n);
        report.put("fanOut", "submitRequestMillis", submitMillis);
        report.put("fanOut", "millisUntilAllHoldDesiredState", all ? allMillis : null);
        report.put("fanOut", "millisUntilHalfHoldDesiredState", times.isEmpty() ? null : times.get(times.size() / 2));
        report.put("fanOut", "placementsPerSecond", all ? n / (allMillis / 1000) : null);
        report.put("fanOut", "millisUntilApiShowsAllActive", active ? activeMillis : null);
        report.put("fanOut", "agentStartDelayMillis", 500);
        log(String.format(
                "fan-out: %d/%d hold the unit after %.0f ms; all active in the API after %.0f ms",
                times.size(), n, allMillis, activeMillis));
        if (!all || !active) {
            failures.add("fan-out: " + times.size() + " of " + n + " agents got the global unit"
                    + (active ? "" : "; not all active"));
        }
        Swarm.await(swarm::allAcknowledged, Duration.ofSeconds(30));
        agentLog("fanOut");
    }

    /** Scenario 3: raise the transition rate until p99 (observe to stored and acknowledged) passes 1 s. */
    private void ingestCeiling(int n) throws Exception {
        phase = "ingest-ceiling";
        List<Map<String, Object>> steps = new ArrayList<>();
        double[] rates = quick
                ? new double[] {100, 400, 1600}
                : new double[] {250, 500, 1000, 2000, 4000, 6000, 8000, 10000, 12000, 14000, 16000};
        int stepSeconds = quick ? 6 : 15;
        double ceiling = 0;
        for (double rate : rates) {
            Histogram step = new Histogram(3_600_000_000L, 3);
            Thread.sleep(1100); // the sampler's next reading holds only this step's acknowledgements
            sampler.stepSink = step;
            double[] batches0 = batchCounters();
            long acked0 = swarm.stats.acked.sum();
            double from = sampler.now();
            long t0 = System.nanoTime();
            swarm.drive(rate, () -> System.nanoTime() - t0 < stepSeconds * 1_000_000_000L, o -> {});
            double[] cpu = sampler.meanCpu(from, sampler.now());
            double elapsed = (System.nanoTime() - t0) / 1e9;
            double achieved = (swarm.stats.acked.sum() - acked0) / elapsed;
            boolean drained = Swarm.await(swarm::allAcknowledged, Duration.ofSeconds(30));
            Thread.sleep(1100); // the sampler's last reading of this step
            sampler.stepSink = null;
            double p99 = step.getValueAtPercentile(99) / 1000.0;
            boolean held = p99 <= 1000 && achieved >= 0.9 * rate && drained;
            double[] batches1 = batchCounters();
            double meanBatch =
                    batches1[0] > batches0[0] ? (batches1[1] - batches0[1]) / (batches1[0] - batches0[0]) : 1;
            steps.add(new LinkedHashMap<>(Map.of(
                    "offeredPerSecond",
                    rate,
                    "achievedPerSecond",
                    achieved,
                    "p50Millis",
                    step.getValueAtPercentile(50) / 1000.0,
                    "p99Millis",
                    p99,
                    "held",
                    held,
                    "framesPerTransaction",
                    meanBatch,
                    "cpuPercentServicePostgresSwarm",
                    List.of(Math.round(cpu[0]), Math.round(cpu[1]), Math.round(cpu[2])))));
            if (held || ceiling == 0) {
                ceilingBatch = Math.max(1, (int) Math.round(meanBatch));
            }
            log(String.format(
                    "ingest: offered %.0f/s, stored %.0f/s, p99 %.0f ms%s",
                    rate, achieved, p99, held ? "" : " (not held)"));
            if (!held) {
                break;
            }
            ceiling = rate;
        }
        report.put("ingestCeiling", "steps", steps);
        report.put("ingestCeiling", "perSecond", ceiling);
        report.put("ingestCeiling", "stepSeconds", stepSeconds);
        agentLog("ingestCeiling");
        report.put("ingestCeiling", "framesPerTransactionAtCeiling", ceilingBatch);
    }

    /** Scenario 5: SIGKILL the service under the connected swarm, start it again; all back, nothing lost. */
    private void reconnectStorm(int n) throws Exception {
        phase = "reconnect-storm";
        double rate = n * perMinute / 60.0;
        AtomicBoolean driving = new AtomicBoolean(true);
        Thread driver = new Thread(
                () -> {
                    try {
                        swarm.drive(rate, driving::get, o -> {});
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "reconnect-driver");
        driver.start();
        Thread.sleep(3000);
        long sentBefore = swarm.stats.sent.sum();
        long killedAt = System.nanoTime();
        service.kill();
        log("reconnect storm: service killed; starting it again");
        long bootMillis = service.start();
        long startedAt = System.nanoTime();
        boolean all = Swarm.await(() -> swarm.welcomedSince(killedAt) >= n, Duration.ofSeconds(180));
        double sinceKill = (System.nanoTime() - killedAt) / 1e9;
        double sinceReady = (System.nanoTime() - startedAt) / 1e9;
        Thread.sleep(2000);
        driving.set(false);
        driver.join();
        boolean acked = Swarm.await(swarm::allAcknowledged, Duration.ofSeconds(120));
        report.put("reconnectStorm", "agents", n);
        report.put("reconnectStorm", "serviceRestartMillis", bootMillis);
        report.put("reconnectStorm", "secondsFromKillUntilAllBack", all ? sinceKill : null);
        report.put("reconnectStorm", "secondsFromReadyUntilAllBack", all ? sinceReady : null);
        report.put("reconnectStorm", "transitionsDuringStorm", swarm.stats.sent.sum() - sentBefore);
        agentLog("reconnectStorm");
        log(String.format(
                "reconnect storm: %d/%d back %.1f s after the kill (%.1f s after ready)",
                swarm.welcomedSince(killedAt), n, sinceKill, sinceReady));
        if (!all) {
            failures.add("reconnect storm: " + swarm.welcomedSince(killedAt) + " of " + n + " back");
        }
        if (!acked) {
            failures.add("reconnect storm: transitions still unacknowledged after 120 s");
        }
    }

    /** Every transition every host observed is stored once, and every host's current state is the service's. */
    private void nothingLost(Database db) throws Exception {
        Swarm.Check check = swarm.check(db);
        long observed = check.observed();
        long storedTotal = check.stored();
        int machinesShort = check.machinesDiffer();
        int statesDiffer = check.statesDiffer();
        long dropped = check.dropped();
        report.put("nothingLost", "transitionsObserved", observed);
        report.put("nothingLost", "transitionsStored", storedTotal);
        report.put("nothingLost", "machinesWithMissingOrExtraTransitions", machinesShort);
        report.put("nothingLost", "unitStatesDiffering", statesDiffer);
        report.put("nothingLost", "droppedInGapRecords", dropped);
        log(String.format(
                "check: %d transitions observed, %d stored; %d machines differ; %d unit states differ",
                observed, storedTotal, machinesShort, statesDiffer));
        if (observed != storedTotal || machinesShort > 0 || statesDiffer > 0 || dropped > 0) {
            failures.add("lost or duplicated: " + observed + " observed, " + storedTotal + " stored, " + machinesShort
                    + " machines differ, " + statesDiffer + " unit states differ, " + dropped + " dropped");
        }
    }

    /** The service's count and sum of frames per ingest transaction (its /q/metrics). */
    private double[] batchCounters() {
        double[] out = new double[2];
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(service.managementUrl() + "/q/metrics"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            for (String line : r.body().split("\n")) {
                if (line.startsWith("flotilla_ingest_batch_frames_count")) {
                    out[0] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                } else if (line.startsWith("flotilla_ingest_batch_frames_sum")) {
                    out[1] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        } catch (Exception e) {
            log("cannot read the service's metrics: " + e.getMessage());
        }
        return out;
    }

    static JsonNode send(HttpClient http, String method, String url, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
    }

    private static final long START = System.nanoTime();

    static void log(String message) {
        System.out.printf("[%6.1f s] %s%n", (System.nanoTime() - START) / 1e9, message);
    }
}
