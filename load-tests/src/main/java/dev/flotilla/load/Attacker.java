package dev.flotilla.load;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.ObjectMapper;

import static dev.flotilla.load.Bench.send;

/**
 * Organization A of the noisy-neighbour benchmark, in a process of its own: its agents and every
 * abuse its admin token allows, at full speed, each on threads of its own.
 *
 * <p>It is a separate process, started by {@link NoisyNeighbour} at the lowest CPU priority
 * ({@code nice -n 19}), because a real attacker's client runs on the attacker's machines: on this
 * one box, a client spinning at normal priority takes the cores from the service and PostgreSQL,
 * and the benchmark would measure that contention rather than what the attacker's requests cost
 * the service. What the service spends answering them is still spent at normal priority, which is
 * the point. The process's own CPU and the requests it got through are reported beside B's figures.
 *
 * <p>Protocol on standard input and output, one line each: it prints {@code READY} once its agents
 * are online, starts the attack on {@code go}, and on {@code stop} (or end of input) stops and
 * prints {@code COUNTS {json}}: the answers it got, by abuse and status.
 */
final class Attacker {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final String token;
    private final Set<String> attacks;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    private Attacker(String url, String token, Set<String> attacks) {
        this.url = url;
        this.token = token;
        this.attacks = attacks;
    }

    /** {@code Attacker URL TOKEN WORK-FOLDER AGENTS ATTACKS(comma-separated)}. */
    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: Attacker URL TOKEN WORK-FOLDER AGENTS ATTACKS");
            System.exit(2);
        }
        Attacker a = new Attacker(args[0], args[1], new LinkedHashSet<>(Arrays.asList(args[4].split(","))));
        int agents = Integer.parseInt(args[3]);
        HttpClient http = HttpClient.newHttpClient();
        String enroll = send(
                        http,
                        "POST",
                        args[0] + "/api/v1/enrollment-tokens",
                        args[1],
                        "{\"name\":\"nna\",\"maxUses\":" + (agents + 10) + "}")
                .get("secret")
                .asText();
        try (Swarm swarm = new Swarm(new Swarm.Settings(
                URI.create(args[0]),
                enroll,
                Path.of(args[2]).resolve("identities-nna"),
                "nna",
                agents,
                20,
                0,
                500,
                1))) {
            swarm.enroll(8, done -> {});
            swarm.connectAll();
            if (!Swarm.await(() -> swarm.stats.online.get() >= agents, Duration.ofSeconds(180))) {
                System.err.println("attacker: only " + swarm.stats.online.get() + " of " + agents + " online");
                System.exit(1);
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            System.out.println("READY");
            System.out.flush();
            String line;
            while ((line = in.readLine()) != null && !line.equals("go")) {
                // wait for the attack phase
            }
            List<Thread> threads = a.start(swarm);
            while ((line = in.readLine()) != null && !line.equals("stop")) {
                // attacking
            }
            threads.forEach(Thread::interrupt);
            for (Thread t : threads) {
                t.join(20_000);
            }
            Map<String, Long> result = new TreeMap<>();
            a.counts.forEach((k, v) -> result.put(k, v.sum()));
            System.out.println("COUNTS " + JSON.writeValueAsString(result));
            System.out.flush();
        }
        System.exit(0);
    }

    private List<Thread> start(Swarm swarmA) {
        List<Thread> threads = new ArrayList<>();
        String machineA = swarmA.hosts().get(0).machineId;
        String glob = "*a".repeat(8) + "*b"; // 9 wildcards: accepted, and once exponential
        String peer = "p".repeat(200) + ".service";
        if (attacks.contains("units")) {
            threads.add(loop(
                    "units",
                    i -> put(
                            "/api/v1/units/evil-" + (i % 900) + ".service",
                            "[Service]\nExecStart=/bin/true\n[X-Fleet]\nConflicts=" + glob + "\nMachineOf=" + peer
                                    + "\n")));
            threads.add(loop(
                    "global-units",
                    i -> put(
                            "/api/v1/units/evil-global-" + (i % 90) + ".service",
                            "[Service]\nExecStart=/bin/true\n[X-Fleet]\nGlobal=true\nConflicts=" + glob + "\n")));
        }
        for (int t = 0; t < (attacks.contains("questions") ? 8 : 0); t++) {
            threads.add(loop(
                    "journal-questions",
                    i -> request(
                                    "GET",
                                    "/api/v1/machines/" + machineA + "/units/sshd.service/journal?lines=1000",
                                    token,
                                    null)
                            .statusCode()));
        }
        if (attacks.contains("api-spam")) {
            threads.add(loop(
                    "api-spam",
                    i -> request("GET", "/api/v1/machines?limit=500", token, null)
                            .statusCode()));
        }
        if (attacks.contains("sign-in-guessing")) {
            threads.add(loop(
                    "sign-in-guessing",
                    i -> request(
                                    "POST",
                                    "/j_security_check",
                                    null,
                                    "j_username=admin&j_password="
                                            + URLEncoder.encode("guess-" + i, StandardCharsets.UTF_8))
                            .statusCode()));
        }
        if (attacks.contains("live-views")) {
            threads.add(new Thread(
                    () -> {
                        List<CompletableFuture<HttpResponse<InputStream>>> open = new ArrayList<>();
                        for (int i = 0; i < 300 && !Thread.currentThread().isInterrupted(); i++) {
                            open.add(http.sendAsync(
                                            HttpRequest.newBuilder(URI.create(url + "/live/presence"))
                                                    .header("Authorization", "Bearer " + token)
                                                    .header("Accept", "text/event-stream")
                                                    .build(),
                                            HttpResponse.BodyHandlers.ofInputStream())
                                    .whenComplete(
                                            (r, e) -> count("live-views-" + (r == null ? "failed" : r.statusCode()))));
                        }
                        try {
                            Thread.sleep(Long.MAX_VALUE);
                        } catch (InterruptedException e) {
                            open.forEach(f -> f.thenAccept(r -> {
                                try {
                                    r.body().close();
                                } catch (Exception ignored) {
                                    // closing is all that matters
                                }
                            }));
                        }
                    },
                    "a-live-views"));
        }
        // A's agents flood: ten times the transitions a machine may send (10 a second by default),
        // from every one of them.
        if (attacks.contains("agent-flood")) {
            threads.add(new Thread(
                    () -> {
                        try {
                            swarmA.drive(
                                    swarmA.hosts().size() * 100.0,
                                    () -> !Thread.currentThread().isInterrupted(),
                                    o -> count("agent-frames"));
                        } catch (InterruptedException e) {
                            // the phase is over
                        }
                    },
                    "a-flood"));
        }
        threads.forEach(Thread::start);
        return threads;
    }

    interface Step {
        int run(int i) throws Exception;
    }

    private Thread loop(String what, Step step) {
        return new Thread(
                () -> {
                    for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                        try {
                            count(what + "-" + step.run(i));
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            if (Thread.currentThread().isInterrupted()) {
                                return;
                            }
                            count(what + "-failed");
                        }
                    }
                },
                "a-" + what);
    }

    private void count(String what) {
        counts.computeIfAbsent(what, k -> new LongAdder()).increment();
    }

    private int put(String path, String content) throws Exception {
        return request("PUT", path, token, JSON.writeValueAsString(Map.of("content", content, "target", "launched")))
                .statusCode();
    }

    private HttpResponse<String> request(String method, String path, String bearer, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", body.startsWith("{") ? "application/json" : "application/x-www-form-urlencoded")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
