package dev.flotilla.load;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import static dev.flotilla.load.Bench.log;
import static dev.flotilla.load.Bench.send;

/**
 * {@code ./flotilla bench --scenario noisy-neighbour}: does one organization's abuse slow another
 * down? Organization B runs a normal workload (its agents reporting transitions, its API used at a
 * steady pace) for a calm phase, then for an equal phase while organization A, made by a stranger
 * who signed up, attacks with everything its roles allow: units with pathological globs, questions
 * to agents and live views by the hundred, its agents flooding frames, sign-in guessing, and its API
 * at full speed. B's API latency and observe→stored latency are compared between the phases (the
 * goal: less than 2× at p99), and B must lose nothing. The service runs with its default
 * per-organization limits (only the anonymous rate is raised, so the swarm can enroll quickly; the
 * sign-in guessing is bounded by its own rules). Prints numbers; fails only when B lost a transition.
 */
final class NoisyNeighbour {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path serviceJar;
    private final List<String> jvm;
    private final Database db;
    private final Path work;
    private final Path out;
    private final int agents;
    private final int seconds;

    private ServiceProcess service;
    private HttpClient http;
    private final Map<String, Object> results = new LinkedHashMap<>();
    private final Map<String, LongAdder> attack = new LinkedHashMap<>();

    /** Every abuse the attack knows; {@code --attacks} picks some. */
    static final List<String> ATTACKS =
            List.of("units", "questions", "live-views", "agent-flood", "sign-in-guessing", "api-spam");

    private final java.util.Set<String> attacks;

    NoisyNeighbour(
            Path serviceJar,
            List<String> jvm,
            Database db,
            Path work,
            Path out,
            int agents,
            int seconds,
            java.util.Set<String> attacks) {
        this.attacks = attacks;
        this.serviceJar = serviceJar;
        this.jvm = jvm;
        this.db = db;
        this.work = work;
        this.out = out;
        this.agents = agents;
        this.seconds = seconds;
    }

    /** Runs both phases; 0 when B lost nothing, 1 otherwise. */
    int run() throws Exception {
        service = new ServiceProcess(serviceJar, work, db, Baselines.freePort(), jvm).withDefaultLimits();
        service.start();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        Map<String, String> boot = Report.envFile(service.bootstrapFile());
        String tokenB = boot.get("FLOTILLA_TOKEN");
        String url = service.url();

        // B: the default organization, its agents and its own admin token.
        Swarm swarmB = swarm(url, tokenB, "nnb", agents, 50);
        // A: a stranger's organization (the first account signs up a second one, as anyone could).
        String cookie = signIn(url, boot.get("FLOTILLA_ADMIN_USER"), boot.get("FLOTILLA_ADMIN_PASSWORD"));
        request("POST", url + "/api/v1/orgs", null, cookie, null, "{\"slug\":\"attacker\",\"name\":\"Attacker\"}");
        String tokenA = JSON.readTree(request(
                                "POST",
                                url + "/api/v1/tokens",
                                null,
                                cookie,
                                "attacker",
                                "{\"name\":\"attack\",\"role\":\"admin\",\"ttl\":\"PT2H\"}")
                        .body())
                .get("secret")
                .asText();
        // A runs in a process of its own at the lowest CPU priority: see Attacker.
        AttackerProcess attacker = new AttackerProcess(url, tokenA, Math.max(10, agents / 20));
        try {
            ApiProbes probes = new ApiProbes(http, url, tokenB, swarmB.timers(), 10, 10, 20);
            Map<String, Object> calm = phase("calm", swarmB, probes, url, tokenB, null);
            Map<String, Object> attacked = phase("attack", swarmB, probes, url, tokenB, attacker);
            results.put("calm", calm);
            results.put("attack", attacked);
            results.put("ratios", ratios(calm, attacked));
            results.put("attacks", List.copyOf(attacks));
            results.put("attacker", attacker.counts);
            Map<String, Double> perSecond = new LinkedHashMap<>();
            attacker.counts.forEach((k, v) -> perSecond.put(k, v / (double) seconds));
            results.put("attackerAnswersPerSecond", perSecond);
            boolean lost = !nothingLost(swarmB);
            results.put("organizationBLostNothing", !lost);
            write();
            return lost ? 1 : 0;
        } finally {
            attacker.close();
            swarmB.close();
            service.stop();
        }
    }

    /** Organization A's {@link Attacker}, started at the lowest CPU priority and told when to go. */
    private final class AttackerProcess implements AutoCloseable {
        private final Process process;
        private final java.io.BufferedReader out;
        private final java.io.Writer in;
        Map<String, Long> counts = new LinkedHashMap<>();

        AttackerProcess(String url, String token, int agentsA) throws Exception {
            List<String> command = new ArrayList<>();
            if (Files.isExecutable(Path.of("/usr/bin/nice"))) {
                command.addAll(List.of("/usr/bin/nice", "-n", "19"));
            }
            command.addAll(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1g",
                    "-cp",
                    System.getProperty("java.class.path"),
                    Attacker.class.getName(),
                    url,
                    token,
                    work.toString(),
                    String.valueOf(agentsA),
                    String.join(",", attacks)));
            process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            out = new java.io.BufferedReader(
                    new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            String line = out.readLine();
            if (!"READY".equals(line)) {
                process.destroyForcibly();
                throw new IllegalStateException("the attacker did not start: " + line);
            }
            log("nna: " + agentsA + " agents online (organization A, in its own process at nice 19)");
        }

        void say(String word) throws Exception {
            in.write(word + "\n");
            in.flush();
        }

        /** Stops the attack and reads what it got. */
        void stop() throws Exception {
            say("stop");
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("COUNTS ")) {
                    JSON.readTree(line.substring(7))
                            .fields()
                            .forEachRemaining(
                                    e -> counts.put(e.getKey(), e.getValue().asLong()));
                    break;
                }
            }
        }

        double cpuSeconds() {
            return Cpu.secondsOf(process.pid());
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private Swarm swarm(String url, String token, String prefix, int n, int units) throws Exception {
        String enroll = send(
                        http,
                        "POST",
                        url + "/api/v1/enrollment-tokens",
                        token,
                        "{\"name\":\"" + prefix + "\",\"maxUses\":" + (n + 10) + "}")
                .get("secret")
                .asText();
        Swarm s = new Swarm(new Swarm.Settings(
                URI.create(url), enroll, work.resolve("identities-" + prefix), prefix, n, units, 0, 500, 1));
        s.enroll(16, done -> {});
        s.connectAll();
        if (!Swarm.await(() -> s.stats.online.get() >= n, Duration.ofSeconds(180))) {
            throw new IllegalStateException(prefix + ": only " + s.stats.online.get() + " of " + n + " online");
        }
        log(prefix + ": " + n + " agents online");
        return s;
    }

    /**
     * One phase: B's agents report transitions (six a minute each) and B's API is called twenty
     * times a second, while {@code attackers} (if any) run.
     */
    private Map<String, Object> phase(
            String name, Swarm swarmB, ApiProbes probes, String url, String tokenB, AttackerProcess attacker)
            throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        if (attacker != null) {
            attacker.say("go");
            Thread.sleep(3000); // let the attack build up before measuring
        }
        swarmB.stats.ackLatency.getIntervalHistogram(); // reset
        probes.latency.getIntervalHistogram();
        Recorder api = new Recorder(3_600_000_000L, 3);
        LongAdder apiErrors = new LongAdder();
        Thread workload = new Thread(() -> apiWorkload(url, tokenB, running, api, apiErrors), "b-api");
        workload.start();
        ServiceProcess.Usage before = service.usage();
        Duration loadCpuBefore =
                ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
        double postgresBefore = Cpu.postgresSeconds();
        double attackerBefore = attacker == null ? 0 : attacker.cpuSeconds();
        probes.enable(true);
        long t0 = System.nanoTime();
        double rate = agents * 6 / 60.0;
        log(String.format(
                "%s: B reports %.0f transitions/s and calls its API 20 times a second for %d s", name, rate, seconds));
        swarmB.drive(rate, () -> System.nanoTime() - t0 < seconds * 1_000_000_000L, probes::offer);
        probes.enable(false);
        running.set(false);
        workload.join();
        ServiceProcess.Usage after = service.usage();
        Histogram ack = swarmB.stats.ackLatency.getIntervalHistogram();
        Histogram observeApi = probes.latency.getIntervalHistogram();
        Histogram calls = api.getIntervalHistogram();
        double postgresCpu = Cpu.postgresSeconds() - postgresBefore;
        double attackerCpu = attacker == null ? 0 : attacker.cpuSeconds() - attackerBefore;
        if (attacker != null) {
            attacker.stop();
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("seconds", seconds);
        r.put("apiCalls", calls.getTotalCount());
        r.put("apiErrors", apiErrors.sum());
        r.put("apiMillisP50", calls.getValueAtPercentile(50) / 1000.0);
        r.put("apiMillisP99", calls.getValueAtPercentile(99) / 1000.0);
        r.put("observeToStoredMillisP50", ack.getValueAtPercentile(50) / 1000.0);
        r.put("observeToStoredMillisP99", ack.getValueAtPercentile(99) / 1000.0);
        r.put("observeToApiMillisP99", observeApi.getValueAtPercentile(99) / 1000.0);
        if (before != null && after != null) {
            r.put("serviceCpuPercentOfOneCore", 100 * (after.cpuSeconds() - before.cpuSeconds()) / seconds);
        }
        r.put("postgresCpuPercentOfOneCore", 100 * postgresCpu / seconds);
        r.put("attackerCpuPercentOfOneCore", 100 * attackerCpu / seconds);
        // This process runs B's agents and API calls, on the same two cores as the service and
        // PostgreSQL: what it used is CPU the service could not have.
        Duration loadCpu = ProcessHandle.current()
                .info()
                .totalCpuDuration()
                .orElse(Duration.ZERO)
                .minus(loadCpuBefore);
        r.put("loadGeneratorCpuPercentOfOneCore", 100.0 * loadCpu.toMillis() / 1000 / seconds);
        log(String.format(
                "%s: B's API p50 %.1f ms p99 %.1f ms (%d calls, %d errors); observe→stored p99 %.1f ms; observe→API p99 %.1f ms",
                name,
                calls.getValueAtPercentile(50) / 1000.0,
                calls.getValueAtPercentile(99) / 1000.0,
                calls.getTotalCount(),
                apiErrors.sum(),
                ack.getValueAtPercentile(99) / 1000.0,
                observeApi.getValueAtPercentile(99) / 1000.0));
        return r;
    }

    /** B's API used at a steady pace: the machine list, the unit list and one machine's page. */
    private void apiWorkload(String url, String token, AtomicBoolean running, Recorder latency, LongAdder errors) {
        List<String> paths = List.of("/api/v1/machines?limit=50", "/api/v1/units", "/api/v1/update-policies");
        long next = System.nanoTime();
        int i = 0;
        while (running.get()) {
            long t0 = System.nanoTime();
            try {
                HttpResponse<Void> r = http.send(
                        HttpRequest.newBuilder(URI.create(url + paths.get(i++ % paths.size())))
                                .timeout(Duration.ofSeconds(30))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() != 200) {
                    errors.increment();
                }
            } catch (Exception e) {
                errors.increment();
            }
            latency.recordValue((System.nanoTime() - t0) / 1000);
            next += 50_000_000L; // 20 a second
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private HttpResponse<String> request(
            String method, String url, String token, String cookie, String org, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (cookie != null) {
            b.header("Cookie", "quarkus-credential=" + cookie);
        }
        if (org != null) {
            b.header("Flotilla-Org", org);
        }
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", body.startsWith("{") ? "application/json" : "application/x-www-form-urlencoded")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String signIn(String url, String user, String password) throws Exception {
        HttpResponse<String> r = request(
                "POST",
                url + "/j_security_check",
                null,
                null,
                null,
                "j_username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&j_password="
                        + URLEncoder.encode(password, StandardCharsets.UTF_8));
        return r.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("quarkus-credential="))
                .map(c -> c.substring("quarkus-credential=".length(), c.indexOf(';')))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("sign-in failed: " + r.statusCode()));
    }

    private static Map<String, Object> ratios(Map<String, Object> calm, Map<String, Object> attacked) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (String k : List.of("apiMillisP99", "observeToStoredMillisP99", "observeToApiMillisP99")) {
            double c = ((Number) calm.get(k)).doubleValue();
            double a = ((Number) attacked.get(k)).doubleValue();
            r.put(k, c == 0 ? null : a / c);
        }
        return r;
    }

    /** Every transition B's hosts observed is stored once, and their units' states agree. */
    private boolean nothingLost(Swarm swarmB) throws Exception {
        Swarm.await(swarmB::allAcknowledged, Duration.ofSeconds(60));
        Map<String, Long> stored = db.eventsPerMachine();
        long observed = 0;
        long storedTotal = 0;
        for (SimulatedHost h : swarmB.hosts()) {
            observed += h.transitions();
            storedTotal += stored.getOrDefault(h.machineId, 0L);
        }
        results.put("organizationBTransitionsObserved", observed);
        results.put("organizationBTransitionsStored", storedTotal);
        log("check: B observed " + observed + " transitions, " + storedTotal + " stored");
        return observed == storedTotal;
    }

    private void write() throws Exception {
        Files.createDirectories(out);
        JSON.writeValue(out.resolve("noisy-neighbour.json").toFile(), results);
        @SuppressWarnings("unchecked")
        Map<String, Object> calm = (Map<String, Object>) results.get("calm");
        @SuppressWarnings("unchecked")
        Map<String, Object> att = (Map<String, Object>) results.get("attack");
        @SuppressWarnings("unchecked")
        Map<String, Object> ratios = (Map<String, Object>) results.get("ratios");
        StringBuilder md = new StringBuilder("# Noisy neighbour\n\n")
                .append("Organization B (")
                .append(agents)
                .append(" agents, its API 20 calls a second) alone, then while organization A attacks")
                .append(
                        " with everything its roles allow. Goal: B's p99 under 2× its calm p99, and nothing of B lost.\n\n")
                .append("| B's figure | calm | under attack | ratio |\n|---|---|---|---|\n");
        for (String k : List.of(
                "apiMillisP50",
                "apiMillisP99",
                "observeToStoredMillisP50",
                "observeToStoredMillisP99",
                "observeToApiMillisP99",
                "apiErrors",
                "serviceCpuPercentOfOneCore",
                "postgresCpuPercentOfOneCore",
                "loadGeneratorCpuPercentOfOneCore",
                "attackerCpuPercentOfOneCore")) {
            md.append("| ")
                    .append(k)
                    .append(" | ")
                    .append(fmt(calm.get(k)))
                    .append(" | ")
                    .append(fmt(att.get(k)))
                    .append(" | ")
                    .append(fmt(ratios.get(k)))
                    .append(" |\n");
        }
        md.append("\nB lost nothing: ")
                .append(results.get("organizationBLostNothing"))
                .append(" (")
                .append(results.get("organizationBTransitionsObserved"))
                .append(" observed, ")
                .append(results.get("organizationBTransitionsStored"))
                .append(" stored).\n\nWhat A's attack got (answers by status; A ran in its own process at nice 19, as")
                .append(
                        " its client would run on its own machines):\n\n| answer | count | a second |\n|---|---|---|\n");
        @SuppressWarnings("unchecked")
        Map<String, Long> a = (Map<String, Long>) results.get("attacker");
        a.forEach((k, v) -> md.append("| ")
                .append(k)
                .append(" | ")
                .append(v)
                .append(" | ")
                .append(String.format("%.1f", v / (double) seconds))
                .append(" |\n"));
        Files.writeString(out.resolve("noisy-neighbour.md"), md.toString());
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
