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
            Double serviceHeapMb,
            Double swarmCpuPercent,
            Double postgresCpuPercent) {}

    private final ServiceProcess service;
    private final Swarm swarm;
    private final ApiProbes probes;
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
            Supplier<String> phase,
            Map<String, Histogram> ackBy,
            Map<String, Histogram> apiBy) {
        this.service = service;
        this.swarm = swarm;
        this.probes = probes;
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

    /** Seconds since the sampler started: the time axis of its rows. */
    double now() {
        return (System.nanoTime() - start) / 1e9;
    }

    /** Mean CPU (% of one core) of service, PostgreSQL and swarm over the rows between two times. */
    synchronized double[] meanCpu(double from, double to) {
        double[] sum = new double[3];
        int n = 0;
        for (Row r : rows) {
            if (r.t() > from && r.t() <= to && r.serviceCpuPercent() != null) {
                sum[0] += r.serviceCpuPercent();
                sum[1] += r.postgresCpuPercent();
                sum[2] += r.swarmCpuPercent();
                n++;
            }
        }
        if (n > 0) {
            for (int i = 0; i < 3; i++) {
                sum[i] /= n;
            }
        }
        return sum;
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
        long lastOwn = ownCpuNanos();
        postgresCpuSince();
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
                // A restarted service starts its CPU time again: no reading for that second.
                if (lastUsage != null && usage.cpuSeconds() >= lastUsage.cpuSeconds()) {
                    cpu = 100 * (usage.cpuSeconds() - lastUsage.cpuSeconds()) / dt;
                }
            }
            lastUsage = usage;
            long own = ownCpuNanos();
            double swarmCpu = 100 * (own - lastOwn) / 1e9 / dt;
            double pgCpu = 100 * postgresCpuSince() / dt;
            lastOwn = own;
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
                        usage == null ? null : heapMb,
                        swarmCpu,
                        pgCpu));
            }
            lastSent = sent;
            lastAcked = acked;
        }
    }

    /** CPU time of this process (the swarm and the bench), in nanoseconds. */
    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private Map<String, Long> postgresTicks = new java.util.HashMap<>();

    /**
     * CPU seconds used by processes named postgres since the last call: per process, so that a
     * backend that ended takes nothing away, and one that started counts whole.
     */
    private double postgresCpuSince() {
        Map<String, Long> now = new java.util.HashMap<>();
        java.io.File[] procs =
                new java.io.File("/proc").listFiles((d, name) -> name.chars().allMatch(Character::isDigit));
        long delta = 0;
        if (procs != null) {
            for (java.io.File p : procs) {
                try {
                    String stat = java.nio.file.Files.readString(p.toPath().resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    if (!stat.substring(open + 1, close).equals("postgres")) {
                        continue;
                    }
                    String[] f = stat.substring(close + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    now.put(p.getName(), ticks);
                    delta += ticks - postgresTicks.getOrDefault(p.getName(), 0L);
                } catch (java.io.IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            }
        }
        postgresTicks = now;
        return delta / 100.0;
    }

    /** The service's used heap (sum of the heap pools in /q/metrics), or null when it does not answer. */
    private Double heapMb() {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(service.managementUrl() + "/q/metrics"))
                            .timeout(Duration.ofSeconds(2))
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
