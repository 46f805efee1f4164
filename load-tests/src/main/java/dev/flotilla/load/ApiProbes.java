package dev.flotilla.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Observe-to-API latency: for a sample of unit transitions (at most {@code perSecond}, at most {@code
 * maxInFlight} at once), polls the REST API's newest unit event of that machine every {@code
 * pollMillis} until it shows the transition's sequence number. The latency is from the moment the
 * simulated host observed the transition to the response that shows it, so it includes one HTTP
 * round trip and up to one poll interval of resolution. A sample, not every transition: polling
 * every one would load the service more than the agents do.
 */
final class ApiProbes {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long TIMEOUT_MICROS = 30_000_000;

    final Recorder latency = new Recorder(3_600_000_000L, 3);
    final AtomicLong timeouts = new AtomicLong();
    private final HttpClient http;
    private final String url;
    private final String token;
    private final ScheduledExecutorService timers;
    private final long intervalNanos;
    private final int maxInFlight;
    private final long pollMillis;
    private final AtomicLong next = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean enabled;

    ApiProbes(
            HttpClient http,
            String url,
            String token,
            ScheduledExecutorService timers,
            int perSecond,
            int maxInFlight,
            long pollMillis) {
        this.http = http;
        this.url = url;
        this.token = token;
        this.timers = timers;
        this.intervalNanos = 1_000_000_000L / Math.max(1, perSecond);
        this.maxInFlight = maxInFlight;
        this.pollMillis = pollMillis;
    }

    void enable(boolean on) {
        enabled = on;
    }

    /** Maybe probes this observation (when the sampling rate and in-flight limit allow). */
    void offer(SimulatedHost.Observation o) {
        if (!enabled || o.container()) {
            return; // units only: the probe reads the unit history
        }
        long now = System.nanoTime();
        long allowed = next.get();
        if (now - allowed < 0 || !next.compareAndSet(allowed, now + intervalNanos)) {
            return;
        }
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            return;
        }
        poll(o);
    }

    private void poll(SimulatedHost.Observation o) {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(url + "/api/v1/machines/" + o.host().machineId + "/unit-events?limit=1"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token)
                .build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
            long now = System.nanoTime();
            long micros = (now - o.observedNanos()) / 1000;
            if (e == null && r.statusCode() == 200 && newestSeq(r.body()) >= o.seq()) {
                latency.recordValue(micros);
                inFlight.decrementAndGet();
            } else if (micros > TIMEOUT_MICROS) {
                latency.recordValue(TIMEOUT_MICROS);
                timeouts.incrementAndGet();
                inFlight.decrementAndGet();
            } else {
                timers.schedule(() -> poll(o), pollMillis, TimeUnit.MILLISECONDS);
            }
        });
    }

    private static long newestSeq(String body) {
        try {
            JsonNode items = JSON.readTree(body).path("items");
            return items.isEmpty() ? -1 : items.get(0).path("seq").asLong(-1);
        } catch (IOException e) {
            return -1;
        }
    }
}
