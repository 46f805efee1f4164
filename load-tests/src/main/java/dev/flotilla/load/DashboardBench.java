package dev.flotilla.load;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.HdrHistogram.Histogram;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import static dev.flotilla.load.Bench.log;
import static dev.flotilla.load.Bench.send;

/**
 * {@code ./flotilla dashboard-bench}: how long the dashboard's overview and machine list take to
 * render for one organization the swarm has filled (issue 19: p95 under 100 ms at 10,000 machines
 * and 500,000 unit rows). One signed-in client asks for each page many times in a row; a trivial
 * file of the same service, asked the same way, is the machine's baseline. Prints numbers, judges
 * none; fails only when the fleet could not be made or a page did not answer with itself.
 */
@Command(
        name = "dashboard-bench",
        mixinStandardHelpOptions = true,
        description = {
            "Times the dashboard's server-side render: fills one organization with N simulated agents (each"
                    + " reporting --units units, plus --global-units units Flotilla places on every machine), signs in"
                    + " as the bootstrap admin and asks, one request at a time, for the overview (/), the machine"
                    + " list's first page, a filtered page (online, label rack=r3), a search (q=swarm-12) and a later"
                    + " page (following the pager), --requests times each after --warmup. Baseline: the same loop"
                    + " on /static/flotilla.css, before and after the pages.",
            "Results go to load-tests/results/<time>-dashboard/ (dashboard.json, dashboard.md): p50/p95/p99/max per"
                    + " page, each p95 over the baseline's, the service's and PostgreSQL's CPU per request.",
            "Exit status: 0 done (whatever the figures); 1 the fleet was not all stored or a page failed; 2 bad"
                    + " arguments.",
            "",
            "Examples:",
            "  ./flotilla dashboard-bench --quick   # 500 agents, about 2 minutes",
            "  ./flotilla dashboard-bench           # 10,000 agents x 50 units: 500,000 unit rows, 6 to 8 minutes"
        })
final class DashboardBench implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--quick", description = "500 agents, 100 requests a page: a smoke run")
    boolean quick;

    @Option(
            names = "--agents",
            description = "simulated agents, all in one organization (default 10000; 500 with --quick)")
    Integer agents;

    @Option(names = "--units", defaultValue = "50", description = "units each agent reports (default ${DEFAULT-VALUE})")
    int units;

    @Option(
            names = "--global-units",
            defaultValue = "5",
            description = "global units submitted, so that every machine also has that many units Flotilla placed"
                    + " (the overview counts those) (default ${DEFAULT-VALUE})")
    int globalUnits;

    @Option(names = "--requests", description = "timed requests per page (default 300; 100 with --quick)")
    Integer requests;

    @Option(
            names = "--warmup",
            defaultValue = "50",
            description = "requests per page first, discarded (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(
            names = "--later-page",
            defaultValue = "20",
            description =
                    "\"Next page\" links followed for the later page, fewer when the list ends first (default ${DEFAULT-VALUE})")
    int laterPage;

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

    @Option(
            names = "--no-vacuum",
            description = "measure the database as the server leaves it: no vacuum in the autovacuum's stead when the"
                    + " server has autovacuum off")
    boolean noVacuum;

    @Option(names = "--keep-db", description = "keep the database afterwards (to EXPLAIN ANALYZE the pages' queries)")
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

    @Option(names = "--out", description = "results folder (default load-tests/results/<time>-dashboard)")
    Path out;

    private final Map<String, Object> run = new LinkedHashMap<>();
    private final Map<String, Object> machine = new LinkedHashMap<>();
    private final Map<String, Object> fleet = new LinkedHashMap<>();
    private final List<Map<String, Object>> pages = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        int n = agents != null ? agents : quick ? 500 : 10_000;
        int timed = requests != null ? requests : quick ? 100 : 300;
        if (n < 1 || units < 0 || globalUnits < 0 || timed < 1 || warmup < 0 || laterPage < 1) {
            System.err.println("flotilla dashboard-bench: --agents and --requests at least 1, --later-page at least"
                    + " 1, counts not negative");
            return 2;
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = out != null ? out : Path.of("load-tests", "results", stamp + "-dashboard" + (quick ? "-quick" : ""));
        Path work = Files.createTempDirectory("flotilla-dashboard-bench-");
        log("results in " + dir + "; work files in " + work);
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("cpuModel", Report.cpuModel());
        machine.put("memoryGiB", Report.memoryGiB());
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("loadAverageAtStart", loadAverage());
        run.put("agents", n);
        run.put("unitsPerAgent", units);
        run.put("globalUnits", globalUnits);
        run.put("requestsPerPage", timed);
        run.put("warmupPerPage", warmup);
        run.put("quick", quick);
        long t0 = System.nanoTime();
        String dbName = "flotilla_dashboard_" + stamp.replace('-', '_');
        ServiceProcess service = null;
        Swarm swarm = null;
        try (Database db = new Database(dbUrl, dbUser, dbPassword, dbName, keepDb)) {
            List<String> jvm =
                    new ArrayList<>(Arrays.asList(serviceJvmOptions.trim().split("\\s+")));
            service = new ServiceProcess(serviceJar, work, db, Baselines.freePort(), jvm);
            service.start();
            Map<String, String> boot = Report.envFile(service.bootstrapFile());
            try (Vacuum vacuum = vacuum(db)) {
                swarm = fill(service, db, boot.get("FLOTILLA_TOKEN"), n, work);
                settle(service);
                vacuum.afterFill();
                String cookie = PageTimer.signIn(
                        service.url(), boot.get("FLOTILLA_ADMIN_USER"), boot.get("FLOTILLA_ADMIN_PASSWORD"));
                idle(service);
                measure(new PageTimer(service.url(), cookie), service, timed);
                run.put("periodicVacuums", vacuum.runs());
            }
            fleet.put("machineTableBytes", db.count("select pg_relation_size('machine')"));
            fleet.put("machineUnitTableBytes", db.count("select pg_relation_size('machine_unit')"));
            if (keepDb) {
                run.put("keptDatabase", dbName);
                log("kept the database " + dbName + " (drop it with: psql -U postgres -c 'drop database " + dbName
                        + "')");
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
        run.put("seconds", (System.nanoTime() - t0) / 1e9);
        run.put("failures", failures);
        write(dir);
        if (!failures.isEmpty()) {
            failures.forEach(f -> System.err.println("FAILED: " + f));
            return 1;
        }
        return 0;
    }

    /** Enrolls and connects the swarm, places the global units, and waits until every unit row is stored. */
    private Swarm fill(ServiceProcess service, Database db, String token, int n, Path work) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        String secret = send(
                        http,
                        "POST",
                        service.url() + "/api/v1/enrollment-tokens",
                        token,
                        "{\"name\":\"dashboard-bench\",\"maxUses\":" + (n + 10) + "}")
                .get("secret")
                .asText();
        Swarm swarm = new Swarm(new Swarm.Settings(
                URI.create(service.url()), secret, work.resolve("identities"), Bench.PREFIX, n, units, 0, 500, 2));
        long t0 = System.nanoTime();
        swarm.enroll(32, done -> {
            if (done % 1000 == 0) {
                log("enrolled " + done + "/" + n);
            }
        });
        fleet.put("enrollSeconds", (System.nanoTime() - t0) / 1e9);
        t0 = System.nanoTime();
        swarm.connectAll();
        if (!Swarm.await(() -> swarm.stats.online.get() >= n, Duration.ofSeconds(300))) {
            throw new IllegalStateException("only " + swarm.stats.online.get() + " of " + n + " agents online");
        }
        fleet.put("connectSeconds", (System.nanoTime() - t0) / 1e9);
        log(n + " agents online");
        for (int g = 0; g < globalUnits; g++) {
            String content = "[Unit]\nDescription=dashboard bench global unit " + g
                    + "\n\n[Service]\nExecStart=/bin/sleep infinity\n\n[X-Fleet]\nGlobal=true\n";
            send(
                    http,
                    "PUT",
                    service.url() + "/api/v1/units/" + globalName(g),
                    token,
                    JSON.writeValueAsString(Map.of("content", content, "target", "launched")));
        }
        long expected = (long) n * (units + globalUnits);
        t0 = System.nanoTime();
        String rows = "select count(*) from machine_unit";
        boolean stored = Swarm.await(
                () -> {
                    try {
                        return swarm.allAcknowledged()
                                && db.count(rows) >= expected
                                && db.count(rows + " where managed and active_state = 'active'")
                                        >= (long) n * globalUnits;
                    } catch (java.sql.SQLException e) {
                        return false;
                    }
                },
                Duration.ofSeconds(300));
        fleet.put("secondsUntilUnitRowsStored", (System.nanoTime() - t0) / 1e9);
        fleet.put("machines", db.count("select count(*) from machine"));
        fleet.put("organizations", db.count("select count(*) from organization"));
        fleet.put("unitRows", db.count(rows));
        fleet.put("unitRowsExpected", expected);
        fleet.put("managedUnitRows", db.count(rows + " where managed"));
        fleet.put("databaseBytes", db.sizeBytes());
        log("machine_unit rows: " + fleet.get("unitRows") + " of " + expected + " (" + fleet.get("managedUnitRows")
                + " placed by Flotilla)");
        if (!stored) {
            failures.add("unit rows: " + fleet.get("unitRows") + " stored of " + expected + " within 300 s");
        }
        return swarm;
    }

    private static String globalName(int g) {
        return String.format("dash-global-%02d.service", g);
    }

    /** Waits until the service is quiet (under 30 % of a core for three seconds in a row, at most 120 s). */
    private void settle(ServiceProcess service) throws InterruptedException {
        long t0 = System.nanoTime();
        int quiet = 0;
        ServiceProcess.Usage last = service.usage();
        while (quiet < 3 && System.nanoTime() - t0 < 120_000_000_000L) {
            Thread.sleep(1000);
            ServiceProcess.Usage now = service.usage();
            quiet = last != null && now != null && now.cpuSeconds() - last.cpuSeconds() < 0.3 ? quiet + 1 : 0;
            last = now;
        }
        fleet.put("settleSeconds", (System.nanoTime() - t0) / 1e9);
        log(String.format("settled after %.0f s", (System.nanoTime() - t0) / 1e9));
    }

    /**
     * Stands in for autovacuum when the server has it off (this machine's test server does): a
     * database that is never vacuumed nor analyzed is not one a fleet runs on. Stale statistics
     * plan the overview's counts as a few hundred rows (and sort 50,000 on disk), no visibility map
     * means no index-only scans, and the heartbeats leave a dead row version of every machine
     * every 10 s. So: {@code vacuum (analyze)} of the heartbeat-updated tables every 60 s
     * (autovacuum's default naptime) from the service's start, and of the whole database once the
     * fleet is stored, as autovacuum would have after that many inserts.
     */
    private Vacuum vacuum(Database db) throws Exception {
        String autovacuum = db.setting("autovacuum");
        run.put("serverAutovacuum", autovacuum);
        boolean standIn = autovacuum.equals("off") && !noVacuum;
        run.put("vacuumStandIn", standIn);
        if (standIn) {
            log("the server's autovacuum is off: the bench vacuums in its stead");
        }
        return new Vacuum(standIn ? db : null);
    }

    /** The stand-in's periodic vacuum, on a thread of its own until closed. */
    private static final class Vacuum implements AutoCloseable {
        private final Thread thread;
        private final java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();

        private final Database db;

        Vacuum(Database db) {
            this.db = db;
            thread = db == null
                    ? null
                    : new Thread(
                            () -> {
                                try {
                                    while (true) {
                                        Thread.sleep(60_000);
                                        db.vacuumAnalyze("machine", "machine_unit");
                                        runs.incrementAndGet();
                                    }
                                } catch (InterruptedException e) {
                                    // closed
                                } catch (java.sql.SQLException e) {
                                    log("vacuum failed: " + e.getMessage());
                                }
                            },
                            "vacuum");
            if (thread != null) {
                thread.setDaemon(true);
                thread.start();
            }
        }

        int runs() {
            return runs.get();
        }

        /** The whole database, once the fleet is stored. */
        void afterFill() throws java.sql.SQLException {
            if (db != null) {
                long t0 = System.nanoTime();
                db.vacuumAnalyze();
                log(String.format("vacuum (analyze) of the filled database: %.1f s", (System.nanoTime() - t0) / 1e9));
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (thread != null) {
                thread.interrupt();
                thread.join(30_000);
            }
        }
    }

    /**
     * The CPU the service and PostgreSQL use with nobody asking for pages (the fleet's heartbeats),
     * over 10 s: subtracted from each page's loop to give its CPU per request.
     */
    private void idle(ServiceProcess service) throws InterruptedException {
        ServiceProcess.Usage before = service.usage();
        double postgres = Cpu.postgresSeconds();
        long t0 = System.nanoTime();
        Thread.sleep(10_000);
        double seconds = (System.nanoTime() - t0) / 1e9;
        ServiceProcess.Usage after = service.usage();
        idleService = before == null || after == null ? 0 : (after.cpuSeconds() - before.cpuSeconds()) / seconds;
        idlePostgres = (Cpu.postgresSeconds() - postgres) / seconds;
        run.put("idleServiceCpuPercentOfOneCore", 100 * idleService);
        run.put("idlePostgresCpuPercentOfOneCore", 100 * idlePostgres);
        log(String.format(
                "idle: service %.0f %%, PostgreSQL %.0f %% of one core", 100 * idleService, 100 * idlePostgres));
    }

    private double idleService;
    private double idlePostgres;

    /** The baseline, every page, the baseline again; each page's p95 over the baseline's. */
    private void measure(PageTimer timer, ServiceProcess service, int timed) throws Exception {
        PageTimer.Page baseline = new PageTimer.Page("baseline", "/static/flotilla.css", "{");
        PageTimer.Page machines = new PageTimer.Page("machines", "/machines", "<h1>Machines</h1>");
        Map.Entry<String, Integer> later = timer.later(machines, laterPage);
        if (later == null) {
            failures.add("the machine list has a single page: no later page to time");
        }
        List<PageTimer.Page> list = new ArrayList<>(List.of(
                new PageTimer.Page("overview", "/", "<h1>Overview</h1>"),
                machines,
                new PageTimer.Page(
                        "machines-filtered",
                        "/machines?presence=online&selector=" + URLEncoder.encode("rack=r3", StandardCharsets.UTF_8),
                        "<h1>Machines</h1>"),
                new PageTimer.Page("machines-search", "/machines?q=" + Bench.PREFIX + "-12", "<h1>Machines</h1>")));
        if (later != null) {
            list.add(
                    new PageTimer.Page("machines-page-" + (later.getValue() + 1), later.getKey(), "<h1>Machines</h1>"));
        }
        machine.put("loadAverageAtMeasureStart", loadAverage());
        Histogram baselines = PageTimer.histogram();
        Histogram h = PageTimer.histogram();
        Map<String, Object> before = timer.time(baseline, warmup, timed, service, h);
        baselines.add(h);
        before.put("page", "baseline-before");
        pages.add(before);
        for (PageTimer.Page p : list) {
            pages.add(timer.time(p, warmup, timed, service, PageTimer.histogram()));
        }
        h = PageTimer.histogram();
        Map<String, Object> after = timer.time(baseline, warmup, timed, service, h);
        baselines.add(h);
        after.put("page", "baseline-after");
        pages.add(after);
        machine.put("loadAverageAtEnd", loadAverage());
        // The baseline's p95 over both its loops, before and after the pages: the machine's noise
        // over the whole measurement, not one moment of it.
        double base = baselines.getValueAtPercentile(95) / 1000.0;
        run.put("baselineP95Millis", base);
        for (Map<String, Object> p : pages) {
            p.put("p95OverBaselineP95", base > 0 ? (Double) p.get("p95Millis") / base : null);
            double seconds = (Double) p.get("seconds");
            long count = (Long) p.get("requests");
            if (p.get("serviceCpuSeconds") instanceof Double cpu) {
                p.put("serviceCpuMillisPerRequest", 1000 * (cpu - idleService * seconds) / count);
            }
            p.put(
                    "postgresCpuMillisPerRequest",
                    1000 * ((Double) p.get("postgresCpuSeconds") - idlePostgres * seconds) / count);
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    private void write(Path dir) throws Exception {
        Files.createDirectories(dir);
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("run", run);
        all.put("machine", machine);
        all.put("fleet", fleet);
        all.put("pages", pages);
        JSON.writeValue(dir.resolve("dashboard.json").toFile(), all);
        StringBuilder md = new StringBuilder("# Dashboard render\n\n");
        md.append(String.format(
                "One organization: %s machines, %s unit rows in `machine_unit` (%s placed by Flotilla: %s global"
                        + " units; the rest %s reported per agent). One signed-in client, one request at a time"
                        + " (HTTP/1.1, kept alive), %s timed requests per page after %s discarded; latency from"
                        + " sending to the body's last byte. The swarm stays connected (heartbeats) while pages are"
                        + " asked.%n%n",
                fleet.get("machines"),
                fleet.get("unitRows"),
                fleet.get("managedUnitRows"),
                globalUnits,
                units,
                run.get("requestsPerPage"),
                warmup));
        md.append(String.format(
                "Machine: %s CPUs (%s), %s GiB, %s; load average %s at start, %s when measuring began, %s at the"
                        + " end. Service, PostgreSQL and the swarm share it.%n%n",
                machine.get("cpus"),
                machine.get("cpuModel"),
                machine.get("memoryGiB"),
                machine.get("java"),
                machine.get("loadAverageAtStart"),
                machine.get("loadAverageAtMeasureStart"),
                machine.get("loadAverageAtEnd")));
        md.append(String.format(
                "Database: the server's autovacuum is %s%s.%n%n",
                run.get("serverAutovacuum"),
                Boolean.TRUE.equals(run.get("vacuumStandIn"))
                        ? "; the bench stood in: vacuum (analyze) of machine and machine_unit every 60 s from the"
                                + " service's start (" + run.get("periodicVacuums") + " times), and of the whole"
                                + " database once the fleet was stored"
                        : ""));
        md.append("| page | path | p50 ms | p95 ms | p99 ms | max ms | p95 / baseline p95 | service CPU ms/req"
                        + " | PostgreSQL CPU ms/req |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> p : pages) {
            md.append(String.format(
                    "| %s | `%s` | %s | %s | %s | %s | %s | %s | %s |%n",
                    p.get("page"),
                    p.get("path"),
                    fmt(p.get("p50Millis")),
                    fmt(p.get("p95Millis")),
                    fmt(p.get("p99Millis")),
                    fmt(p.get("maxMillis")),
                    fmt(p.get("p95OverBaselineP95")),
                    fmt(p.get("serviceCpuMillisPerRequest")),
                    fmt(p.get("postgresCpuMillisPerRequest"))));
        }
        md.append(String.format(
                "%nBaseline p95 (both its loops together): %s ms. CPU per request is net of the idle fleet's"
                        + " (heartbeats): service %s %%, PostgreSQL %s %% of one core with no page asked. Fleet: enrolled in %s s, online in %s s,"
                        + " unit rows stored %s s after the global units were submitted, settled in %s s.%n",
                fmt(run.get("baselineP95Millis")),
                fmt(run.get("idleServiceCpuPercentOfOneCore")),
                fmt(run.get("idlePostgresCpuPercentOfOneCore")),
                fmt(fleet.get("enrollSeconds")),
                fmt(fleet.get("connectSeconds")),
                fmt(fleet.get("secondsUntilUnitRowsStored")),
                fmt(fleet.get("settleSeconds"))));
        if (!failures.isEmpty()) {
            md.append("\nFailures:\n\n");
            failures.forEach(f -> md.append("- ").append(f).append('\n'));
        }
        Files.writeString(dir.resolve("dashboard.md"), md.toString());
        log("wrote " + dir.resolve("dashboard.md"));
        System.out.println(md);
    }

    private static String fmt(Object v) {
        if (v == null) {
            return "–";
        }
        if (v instanceof Double d) {
            return String.format("%.2f", d);
        }
        return String.valueOf(v);
    }
}
