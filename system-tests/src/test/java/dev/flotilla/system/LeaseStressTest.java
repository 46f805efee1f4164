package dev.flotilla.system;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three replicas of the packaged service on one database, hundreds of FleetLock clients asking for
 * reboot slots at once through all of them: never more leases than the policy allows, checked
 * twice — on a burst (exactly the limit granted) and over a churn of locks and releases, from the
 * policy's own timeline (no instant with more leases than the limit).
 */
class LeaseStressTest {
    private static final int LIMIT = 3;

    @Test
    void shouldNeverGrantMoreLeasesThanThePolicyAllowsAcrossReplicas() throws Exception {
        try (RunningService service = new RunningService("lease-stress")) {
            List<String> replicas = new ArrayList<>();
            replicas.add(service.url);
            replicas.add(service.startReplica("replica-2").url());
            replicas.add(service.startReplica("replica-3").url());

            assertThat(Project.post(
                                    service.url + "/api/v1/update-policies",
                                    service.token,
                                    "{\"name\":\"stress\",\"selector\":\"stress=yes\",\"maxParallel\":\"" + LIMIT
                                            + "\"}")
                            .status())
                    .isEqualTo(201);
            String url = Project.post(service.url + "/api/v1/fleetlock-urls", service.token, "{}")
                    .body()
                    .path("url")
                    .asText();
            String path = url.substring(url.indexOf("/fleetlock/"));
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            ExecutorService pool = Executors.newFixedThreadPool(100);
            try {
                // A burst: 300 nodes at once, spread over the three replicas.
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> burst = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    String base = replicas.get(i % 3) + path;
                    String id = "burst-" + i;
                    burst.add(pool.submit(() -> {
                        go.await();
                        return call(http, base, "pre-reboot", id);
                    }));
                }
                go.countDown();
                int granted = 0;
                for (Future<Integer> f : burst) {
                    int status = f.get();
                    assertThat(status).isIn(200, 409);
                    granted += status == 200 ? 1 : 0;
                }
                assertThat(granted).isEqualTo(LIMIT);
                assertThat(updating(service)).isEqualTo(LIMIT);
                // Release them (each node on another replica than it locked on) and check none is left.
                for (int i = 0; i < 300; i++) {
                    assertThat(call(http, replicas.get((i + 1) % 3) + path, "steady-state", "burst-" + i))
                            .isEqualTo(200);
                }
                assertThat(updating(service)).isZero();

                // Churn: 200 nodes for 15 s, each locking on one replica and releasing on another.
                Instant end = Instant.now().plusSeconds(15);
                AtomicInteger grants = new AtomicInteger();
                List<Future<?>> nodes = new ArrayList<>();
                for (int n = 0; n < 200; n++) {
                    String id = "churn-" + n;
                    nodes.add(pool.submit(() -> {
                        ThreadLocalRandom random = ThreadLocalRandom.current();
                        while (Instant.now().isBefore(end)) {
                            String base = replicas.get(random.nextInt(3)) + path;
                            if (call(http, base, "pre-reboot", id) == 200) {
                                grants.incrementAndGet();
                                Thread.sleep(random.nextInt(5, 30));
                                call(http, replicas.get(random.nextInt(3)) + path, "steady-state", id);
                            } else {
                                Thread.sleep(random.nextInt(5, 50));
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : nodes) {
                    f.get();
                }
                assertThat(grants.get()).as("leases granted during the churn").isGreaterThan(20);
                List<long[]> intervals = timeline(service);
                assertThat(intervals).hasSizeGreaterThanOrEqualTo(grants.get() + LIMIT);
                assertThat(maxOverlap(intervals))
                        .as("most leases held at one instant")
                        .isLessThanOrEqualTo(LIMIT);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static int call(HttpClient http, String base, String op, String id) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/" + op))
                .header("fleet-lock-protocol", "true")
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"client_params\":{\"id\":\"" + id + "\",\"group\":\"stress\"}}"))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static int updating(RunningService service) throws Exception {
        return Project.get(service.url + "/api/v1/update-policies/stress", service.token)
                .body()
                .path("updating")
                .asInt();
    }

    /** Every lease of the policy as [granted, ended) in microseconds. */
    private static List<long[]> timeline(RunningService service) throws Exception {
        List<long[]> out = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = Project.get(
                            service.url + "/api/v1/update-policies/stress/leases?limit=500"
                                    + (cursor == null ? "" : "&cursor=" + cursor),
                            service.token)
                    .body();
            for (JsonNode l : page.path("items")) {
                Instant from = Instant.parse(l.path("grantedAt").asText());
                Instant to = l.path("endedAt").isNull()
                        ? Instant.MAX
                        : Instant.parse(l.path("endedAt").asText());
                out.add(new long[] {micros(from), to == Instant.MAX ? Long.MAX_VALUE : micros(to)});
            }
            cursor = page.path("nextCursor").isNull()
                    ? null
                    : page.path("nextCursor").asText();
        } while (cursor != null);
        return out;
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
    }

    /** The most intervals open at one instant (an end at t frees the slot for a start at t). */
    static int maxOverlap(List<long[]> intervals) {
        List<long[]> events = new ArrayList<>();
        for (long[] i : intervals) {
            events.add(new long[] {i[0], 1});
            events.add(new long[] {i[1], -1});
        }
        events.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
        int open = 0;
        int most = 0;
        for (long[] e : events) {
            open += (int) e[1];
            most = Math.max(most, open);
        }
        return most;
    }
}
