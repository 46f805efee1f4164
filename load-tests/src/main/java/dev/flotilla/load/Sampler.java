package dev.flotilla.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.HdrHistogram.Histogram;

/**
 * Once a second: the swarm's rates, the latencies of that second (added to the phase's totals),
 * and the service's CPU, resident memory and (every 5 s, from /q/metrics) heap.
 */
final class Sampler {
    /** One second of the run. */
    record Row(
            double t,
            String phase,
            double sentPerSecond,
            double ackedPerSecond,
            int online,
            double ackP50Millis,
            double ackP99Millis,
            double apiP50Millis,
            double apiP99Millis,
            Double serviceCpuPercent,
            Double serviceRssMb,
            Double serviceHeapMb) {}

    private final ServiceProcess service;
    private final Swarm swarm;
    private final ApiProbes probes;
    private final String token;
    private final Supplier<String> phase;
    private final Map<String, Histogram> ackBy;
    private final Map<String, Histogram> apiBy;
    private final List<Row> rows = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final long start = System.nanoTime();
    volatile Histogram stepSink;
    private volatile boolean running = true;
    private Thread thread;
    private Double heapMb;

    Sampler(
            ServiceProcess service,
            Swarm swarm,
            ApiProbes probes,
            Report report,
            String token,
            Supplier<String> phase,
            Map<String, Histogram> ackBy,
            Map<String, Histogram> apiBy) {
        this.service = service;
        this.swarm = swarm;
        this.probes = probes;
        this.token = token;
        this.phase = phase;
        this.ackBy = ackBy;
        this.apiBy = apiBy;
    }

    void start() {
        thread = new Thread(this::loop, "sampler");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        running = false;
        thread.join();
    }

    synchronized List<Row> rows() {
        return new ArrayList<>(rows);
    }

    private void loop() {
        long lastSent = 0;
        long lastAcked = 0;
        ServiceProcess.Usage lastUsage = service.usage();
        long lastNanos = System.nanoTime();
        int tick = 0;
        while (running) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            double dt = (now - lastNanos) / 1e9;
            lastNanos = now;
            String p = phase.get();
            Histogram ack = swarm.stats.ackLatency.getIntervalHistogram();
            Histogram api = probes.latency.getIntervalHistogram();
            ackBy.computeIfAbsent(p, k -> new Histogram(3_600_000_000L, 3)).add(ack);
            apiBy.computeIfAbsent(p, k -> new Histogram(3_600_000_000L, 3)).add(api);
            Histogram sink = stepSink;
            if (sink != null) {
                sink.add(ack);
            }
            long sent = swarm.stats.sent.sum();
            long acked = swarm.stats.acked.sum();
            ServiceProcess.Usage usage = service.usage();
            Double cpu = null;
            Double rss = null;
            if (usage != null) {
                rss = usage.rssBytes() / 1048576.0;
                if (lastUsage != null) {
                    cpu = 100 * (usage.cpuSeconds() - lastUsage.cpuSeconds()) / dt;
                }
            }
            lastUsage = usage;
            if (tick++ % 5 == 0) {
                heapMb = heapMb();
            }
            synchronized (this) {
                rows.add(new Row(
                        (now - start) / 1e9,
                        p,
                        (sent - lastSent) / dt,
                        (acked - lastAcked) / dt,
                        swarm.stats.online.get(),
                        ack.getTotalCount() == 0 ? Double.NaN : ack.getValueAtPercentile(50) / 1000.0,
                        ack.getTotalCount() == 0 ? Double.NaN : ack.getValueAtPercentile(99) / 1000.0,
                        api.getTotalCount() == 0 ? Double.NaN : api.getValueAtPercentile(50) / 1000.0,
                        api.getTotalCount() == 0 ? Double.NaN : api.getValueAtPercentile(99) / 1000.0,
                        cpu,
                        rss,
                        usage == null ? null : heapMb));
            }
            lastSent = sent;
            lastAcked = acked;
        }
    }

    /** The service's used heap (sum of the heap pools in /q/metrics), or null when it does not answer. */
    private Double heapMb() {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(service.url() + "/q/metrics"))
                            .timeout(Duration.ofSeconds(2))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return null;
            }
            double sum = 0;
            for (String line : r.body().split("\n")) {
                if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum / 1048576.0;
        } catch (Exception e) {
            return null;
        }
    }
}
