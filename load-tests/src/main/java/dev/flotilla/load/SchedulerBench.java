package dev.flotilla.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import static dev.flotilla.load.Bench.log;
import static dev.flotilla.load.Bench.send;

/**
 * {@code ./flotilla bench-scheduler}: the scheduler's cost against the number of organizations
 * (issue 20). For each N, N organizations of --machines machines and one global unit each are
 * written straight into a fresh database (no enrollment: the figure is the scheduler's), and the
 * packaged service is started twice: once with full passes back to back (the loop busy), once with
 * the full pass hourly (the loop idle). Figures: the full pass's duration ({@code
 * flotilla_scheduler_round}), and the time from a label change in one organization (the default
 * one, through the API) to its machine's desired_unit row, and from its undoing to the row gone.
 * Prints numbers, judges none.
 */
@Command(
        name = "bench-scheduler",
        mixinStandardHelpOptions = true,
        description = {
            "Times the scheduler against the number of organizations: for each N of --orgs, N organizations x"
                    + " --machines machines x 1 global unit are written with SQL into a fresh database; the service"
                    + " is started with full passes back to back (busy) and then with the full pass hourly (idle);"
                    + " each time a label change in one organization is made --changes times through the API and"
                    + " timed until its machine's desired_unit row appears (and, undone, disappears).",
            "Results go to load-tests/results/<time>-scheduler/ (results.json, summary.md).",
            "Exit status: 0 done (whatever the figures); 1 a step failed; 2 bad arguments.",
            "",
            "Examples:",
            "  ./flotilla bench-scheduler --quick   # N = 100, 1000; about 2 minutes",
            "  ./flotilla bench-scheduler           # N = 100, 1000, 10000; about 10 minutes"
        })
final class SchedulerBench implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String DEFAULT_ORG = "00000000-0000-0000-0000-000000000001";
    private static final String UNIT = "bench-global.service";
    private static final String WEB = "bench-web.service";

    @Option(names = "--quick", description = "N = 100 and 1000, 10 changes each: a smoke run")
    boolean quick;

    @Option(
            names = "--orgs",
            split = ",",
            description = "numbers of organizations, ascending (default 100,1000,10000; 100,1000 with --quick)")
    List<Integer> orgs;

    @Option(
            names = "--machines",
            defaultValue = "5",
            description = "machines per organization (default ${DEFAULT-VALUE})")
    int machines;

    @Option(names = "--changes", description = "timed changes per phase (default 30; 10 with --quick)")
    Integer changes;

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

    @Option(names = "--keep-db", description = "keep the database afterwards")
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

    @Option(names = "--out", description = "results folder (default load-tests/results/<time>-scheduler)")
    Path out;

    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, Object> run = new LinkedHashMap<>();
    private final List<Map<String, Object>> rows = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<Integer> ns = orgs != null ? orgs : quick ? List.of(100, 1000) : List.of(100, 1000, 10_000);
        int k = changes != null ? changes : quick ? 10 : 30;
        if (ns.isEmpty() || ns.stream().anyMatch(n -> n < 1) || machines < 1 || k < 1) {
            System.err.println("flotilla bench-scheduler: --orgs, --machines and --changes at least 1");
            return 2;
        }
        List<Integer> sorted = ns.stream().sorted().distinct().toList();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = out != null ? out : Path.of("load-tests", "results", stamp + "-scheduler" + (quick ? "-quick" : ""));
        Path work = Files.createTempDirectory("flotilla-scheduler-bench-");
        log("results in " + dir + "; work files in " + work);
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("cpuModel", Report.cpuModel());
        machine.put("memoryGiB", Report.memoryGiB());
        machine.put(
                "loadAverageAtStart", Files.readString(Path.of("/proc/loadavg")).trim());
        run.put("machine", machine);
        run.put("machinesPerOrganization", machines);
        run.put("changesPerPhase", k);
        long t0 = System.nanoTime();
        String dbName = "flotilla_scheduler_" + stamp.replace('-', '_');
        try (Database db = new Database(dbUrl, dbUser, dbPassword, dbName, keepDb)) {
            // The schema (Flyway) and the default organization come from a first start.
            String token;
            try (ServiceProcess s = service(db, work, "1h")) {
                s.start();
                token = Report.envFile(s.bootstrapFile()).get("FLOTILLA_TOKEN");
            }
            seedDefaultOrganization(db);
            int have = 0;
            for (int n : sorted) {
                insertOrganizations(db, have + 1, n);
                have = n;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("organizations", n);
                row.put("machines", db.count("select count(*) from machine"));
                row.put("busy", phase(db, work, token, "1s", k));
                row.put("idle", phase(db, work, token, "1h", k));
                rows.add(row);
                log("N=" + n + ": " + JSON.writeValueAsString(row).replaceAll("\\s+", " "));
            }
        } catch (Exception e) {
            failures.add("the benchmark stopped: " + e);
            e.printStackTrace();
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

    private ServiceProcess service(Database db, Path work, String fullPassEvery) throws Exception {
        List<String> jvm =
                new ArrayList<>(Arrays.asList(serviceJvmOptions.trim().split("\\s+")));
        jvm.add("-Dflotilla.scheduler.full-pass-every=" + fullPassEvery);
        // The machines are rows, never connected: they stay offline (global units go to offline machines).
        jvm.add("-Dflotilla.agent.lost-after=24h");
        return new ServiceProcess(serviceJar, work, db, Baselines.freePort(), jvm);
    }

    /**
     * One start of the service: waits for its first full pass (the one a new leader makes), then for a
     * second one when passes run back to back, then times {@code k} changes and their undoing.
     */
    private Map<String, Object> phase(Database db, Path work, String token, String fullPassEvery, int k)
            throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("fullPassEvery", fullPassEvery);
        try (ServiceProcess s = service(db, work, fullPassEvery)) {
            s.start();
            Metrics first = awaitRounds(s, 1, Duration.ofMinutes(15));
            r.put("firstFullPassMs", first.roundSum * 1000);
            long spacingMs = 0;
            if (fullPassEvery.equals("1s")) {
                Metrics second = awaitRounds(s, 2, Duration.ofMinutes(15));
                double nextMs = (second.roundSum - first.roundSum) * 1000;
                r.put("nextFullPassMs", nextMs);
                // Spread the changes over about three passes, so that most land while one runs.
                spacingMs = (long) (3 * nextMs / k);
            }
            List<Double> appear = new ArrayList<>();
            List<Double> vanish = new ArrayList<>();
            try (Connection c = db.connect()) {
                for (int i = 0; i < 3; i++) { // warm-up, not timed: the first requests of a JVM are slow
                    change(s, c, token, "{\"role\":\"web\"}", true);
                    change(s, c, token, "{\"role\":null}", false);
                }
            }
            Metrics before = Metrics.read(http, s.managementUrl());
            long wall = System.nanoTime();
            try (Connection c = db.connect()) {
                for (int i = 0; i < k; i++) {
                    appear.add(change(s, c, token, "{\"role\":\"web\"}", true));
                    vanish.add(change(s, c, token, "{\"role\":null}", false));
                    Thread.sleep(spacingMs);
                }
            }
            Metrics after = Metrics.read(http, s.managementUrl());
            double seconds = (System.nanoTime() - wall) / 1e9;
            r.put("changeToPlacedMs", stats(appear));
            r.put("undoToRemovedMs", stats(vanish));
            r.put("changeSeconds", seconds);
            r.put("spacingMs", spacingMs);
            r.put("fullPassesDuringChanges", after.rounds - before.rounds);
            // The share of the changes' wall time taken by full passes that ended within it: how busy
            // the loop was (a pass still running at the end is not counted, so this is a floor).
            r.put("loopBusyShare", Math.min(1, (after.roundSum - before.roundSum) / seconds));
            r.put("reactiveReconcilesDuringChanges", after.reactive - before.reactive);
        }
        return r;
    }

    /** One label change through the API, timed until the default organization's machine row follows. */
    private double change(ServiceProcess s, Connection c, String token, String body, boolean placed) throws Exception {
        String machineId = md5("default-m-1");
        long t0 = System.nanoTime();
        send(http, "PATCH", s.url() + "/api/v1/machines/" + machineId + "/labels", token, body);
        long deadline = t0 + Duration.ofSeconds(60).toNanos();
        try (PreparedStatement ps = c.prepareStatement(
                "select count(*) from desired_unit where org_id = cast(? as uuid) and machine_id = ? and name = ?")) {
            ps.setString(1, DEFAULT_ORG);
            ps.setString(2, machineId);
            ps.setString(3, WEB);
            while (System.nanoTime() < deadline) {
                try (ResultSet r = ps.executeQuery()) {
                    r.next();
                    if ((r.getInt(1) > 0) == placed) {
                        return (System.nanoTime() - t0) / 1e6;
                    }
                }
                Thread.sleep(2);
            }
        }
        failures.add("a change did not reach desired_unit within 60 s");
        return Double.NaN;
    }

    private static Map<String, Object> stats(List<Double> ms) {
        List<Double> v = ms.stream().filter(d -> !d.isNaN()).sorted().toList();
        Map<String, Object> out = new LinkedHashMap<>();
        if (v.isEmpty()) {
            return out;
        }
        out.put("n", v.size());
        out.put("p50", v.get((v.size() - 1) / 2));
        out.put("p90", v.get((int) Math.ceil(v.size() * 0.9) - 1));
        out.put("max", v.get(v.size() - 1));
        return out;
    }

    private Metrics awaitRounds(ServiceProcess s, long rounds, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            Metrics m = Metrics.read(http, s.managementUrl());
            if (m.rounds >= rounds) {
                return m;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no full pass #" + rounds + " within " + within);
    }

    /** The default organization: one global unit on the machines labelled role=web (none yet), and its machines. */
    private void seedDefaultOrganization(Database db) throws SQLException {
        try (Connection c = db.connect()) {
            exec(
                    c,
                    "insert into machine (org_id, id, hostname, credential_hash) select cast('" + DEFAULT_ORG
                            + "' as uuid), md5('default-m-' || j), 'default-' || j, decode(md5('default-c-' || j),"
                            + " 'hex') from generate_series(1, " + machines + ") j");
            String content =
                    "[Service]\nExecStart=/bin/sleep infinity\n\n[X-Fleet]\nGlobal=true\nMachineMetadata=role=web\n";
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into unit (org_id, name, content, hash, target_state,"
                            + " global, updated_by) values (cast(? as uuid), ?, ?, md5(?), 'launched', true, 'bench')")) {
                ps.setString(1, DEFAULT_ORG);
                ps.setString(2, WEB);
                ps.setString(3, content);
                ps.setString(4, content);
                ps.executeUpdate();
            }
        }
    }

    /** Organizations {@code from..to}, each with its machines and one global unit on all of them. */
    private void insertOrganizations(Database db, int from, int to) throws SQLException {
        long t0 = System.nanoTime();
        String range = " from generate_series(" + from + ", " + to + ") i";
        String org = "cast(md5('org-' || i) as uuid)";
        String content = "[Service]\nExecStart=/bin/sleep infinity\n\n[X-Fleet]\nGlobal=true\n";
        try (Connection c = db.connect()) {
            exec(
                    c,
                    "insert into organization (id, slug, name) select " + org + ", 'bench-' || i, 'Bench ' || i"
                            + range);
            exec(
                    c,
                    "insert into machine (org_id, id, hostname, credential_hash) select " + org
                            + ", md5('m-' || i || '-' || j), 'h-' || i || '-' || j, decode(md5('c-' || i || '-' || j),"
                            + " 'hex')" + range + ", generate_series(1, " + machines + ") j");
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into unit (org_id, name, content, hash, target_state," + " global, updated_by) select "
                            + org + ", ?, ?, md5(?), 'launched', true, 'bench'" + range)) {
                ps.setString(1, UNIT);
                ps.setString(2, content);
                ps.setString(3, content);
                ps.executeUpdate();
            }
            exec(c, "vacuum (analyze) organization, machine, unit, desired_unit");
        }
        log(String.format("organizations %d..%d inserted in %.1f s", from, to, (System.nanoTime() - t0) / 1e9));
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (var s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String md5(String s) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("MD5")
                            .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The scheduler's figures in {@code /q/metrics}. */
    private record Metrics(long rounds, double roundSum, double reactive) {
        private static final Pattern LINE = Pattern.compile("^([a-z_]+)(\\{[^}]*\\})? ([0-9.eE+-]+)$");

        static Metrics read(HttpClient http, String management) throws Exception {
            String text = http.send(
                            HttpRequest.newBuilder(URI.create(management + "/q/metrics"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            long rounds = 0;
            double sum = 0;
            double reactive = 0;
            for (String line : text.split("\n")) {
                Matcher m = LINE.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                double v = Double.parseDouble(m.group(3));
                switch (m.group(1)) {
                    case "flotilla_scheduler_round_seconds_count" -> rounds = (long) v;
                    case "flotilla_scheduler_round_seconds_sum" -> sum = v;
                    case "flotilla_scheduler_reactive_reconciles_total" -> reactive = v;
                    default -> {}
                }
            }
            return new Metrics(rounds, sum, reactive);
        }
    }

    private void write(Path dir) throws Exception {
        Files.createDirectories(dir);
        Map<String, Object> all = new LinkedHashMap<>(run);
        all.put("rows", rows);
        Files.writeString(dir.resolve("results.json"), JSON.writeValueAsString(all));
        StringBuilder md = new StringBuilder("# Scheduler against the number of organizations\n\n");
        md.append("Each organization: ")
                .append(machines)
                .append(" machines (rows, never connected) and one global unit. A change: a label set on")
                .append(" (then removed from) a machine of the default organization, through the API, timed until")
                .append(" its desired_unit row appears (disappears). *Busy*: full passes back to back")
                .append(" (full-pass-every=1s); *idle*: the full pass hourly. Machine: ")
                .append(((Map<?, ?>) run.get("machine")).get("cpus"))
                .append(" CPUs (")
                .append(((Map<?, ?>) run.get("machine")).get("cpuModel"))
                .append("), load average at start ")
                .append(((Map<?, ?>) run.get("machine")).get("loadAverageAtStart"))
                .append(": shared, so figures are noisy.\n\n");
        md.append("| organizations | full pass, first (ms) | full pass, next (ms) | busy: change → placed p50 / p90 /")
                .append(" max (ms) | busy: loop busy | idle: full pass at leadership (ms) | idle: change → placed p50")
                .append(" / p90 / max (ms) | idle: undo → removed p50 / max (ms) | idle: reactive reconciles /")
                .append(" changes |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> row : rows) {
            Map<?, ?> busy = (Map<?, ?>) row.get("busy");
            Map<?, ?> idle = (Map<?, ?>) row.get("idle");
            Map<?, ?> busyChange = (Map<?, ?>) busy.get("changeToPlacedMs");
            Map<?, ?> idleChange = (Map<?, ?>) idle.get("changeToPlacedMs");
            Map<?, ?> idleUndo = (Map<?, ?>) idle.get("undoToRemovedMs");
            md.append(String.format(
                    "| %s | %.0f | %.0f | %s | %.0f %% | %.0f | %s | %s | %.0f / %d |%n",
                    row.get("organizations"),
                    num(busy.get("firstFullPassMs")),
                    num(busy.get("nextFullPassMs")),
                    triple(busyChange),
                    100 * num(busy.get("loopBusyShare")),
                    num(idle.get("firstFullPassMs")),
                    triple(idleChange),
                    String.format("%.0f / %.0f", num(idleUndo.get("p50")), num(idleUndo.get("max"))),
                    num(idle.get("reactiveReconcilesDuringChanges")),
                    2 * ((Number) run.get("changesPerPhase")).intValue()));
        }
        if (!failures.isEmpty()) {
            md.append("\nFailures:\n");
            failures.forEach(f -> md.append("- ").append(f).append('\n'));
        }
        Files.writeString(dir.resolve("summary.md"), md.toString());
        System.out.print(md);
    }

    private static String triple(Map<?, ?> s) {
        return String.format("%.0f / %.0f / %.0f", num(s.get("p50")), num(s.get("p90")), num(s.get("max")));
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
