package dev.flotilla.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.HdrHistogram.Recorder;

import com.google.common.util.concurrent.MoreExecutors;

import dev.flotilla.agent.AgentClient;
import dev.flotilla.agent.AgentSettings;
import dev.flotilla.agent.Credentials;
import dev.flotilla.api.protocol.DesiredState;
import dev.flotilla.api.protocol.Facts;
import dev.flotilla.api.protocol.Hello;
import dev.flotilla.api.protocol.Protocol;

/**
 * Many simulated hosts in one JVM, each with the host agent's own client, reporter and journal
 * (only systemd and the container engine are simulated). They share a few HTTP clients (one
 * selector thread each), one small pool on which every host runs in its own serial lane, and two
 * timer threads: 10,000 hosts cost a few dozen threads, not 20,000.
 */
final class Swarm implements AutoCloseable {
    /** Counters and latencies of the whole swarm; latencies in microseconds. */
    static final class Stats {
        final LongAdder sent = new LongAdder();
        final LongAdder acked = new LongAdder();
        final LongAdder welcomes = new LongAdder();
        final AtomicInteger online = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final Recorder ackLatency = new Recorder(3_600_000_000L, 3);
    }

    /** How the swarm is made. */
    record Settings(
            URI url,
            String enrollToken,
            Path identities,
            String prefix,
            int agents,
            int unitsPerHost,
            int containersPerHost,
            long startDelayMillis,
            int httpClients) {}

    final Stats stats = new Stats();
    /** The agents' warnings, by kind, since the last {@link #takeAgentLog}. */
    private final Map<String, LongAdder> agentLogCounts = new ConcurrentHashMap<>();

    private final Settings settings;
    private final ExecutorService pool;
    private final ScheduledExecutorService timers;
    private final List<HttpClient> clients = new ArrayList<>();
    private final List<SimulatedHost> hosts = new ArrayList<>();
    private final Map<SimulatedHost, java.util.concurrent.Executor> lanes = new ConcurrentHashMap<>();
    private final long[] lastWelcome;
    private final Facts facts;
    private volatile String watchedUnit;
    private final Map<Integer, Long> watchTimes = new ConcurrentHashMap<>();
    private final AtomicLong watchStart = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    Swarm(Settings settings) {
        this.settings = settings;
        // The agent's own log lines, times ten thousand, would drown the swarm's: they are counted
        // by kind instead (numbers masked), and the bench prints the counts.
        Logger agentLog = Logger.getLogger("dev.flotilla.agent");
        agentLog.setUseParentHandlers(false);
        agentLog.setLevel(Level.INFO);
        agentLog.addHandler(new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    String kind = String.valueOf(r.getMessage())
                            .replaceAll("[0-9a-f]{32}", "<id>")
                            .replaceAll("[0-9]+", "N");
                    agentLogCounts.computeIfAbsent(kind, k -> new LongAdder()).increment();
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        this.pool = Executors.newFixedThreadPool(threads, daemon("swarm-worker"));
        this.timers = Executors.newScheduledThreadPool(2, daemon("swarm-timer"));
        for (int i = 0; i < Math.max(1, settings.httpClients()); i++) {
            clients.add(HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(20))
                    .executor(pool)
                    .build());
        }
        this.lastWelcome = new long[settings.agents()];
        this.facts = new Facts(
                new Facts.OsRelease("debian", "12", "Debian GNU/Linux 12 (simulated)"),
                "6.1.0-sim",
                "x86_64",
                2,
                2L << 30,
                List.of("10.0.0.1"),
                UUID.randomUUID().toString());
        for (int i = 0; i < settings.agents(); i++) {
            SimulatedHost h = new SimulatedHost(this, i, settings.unitsPerHost(), settings.containersPerHost());
            lanes.put(h, MoreExecutors.newSequentialExecutor(pool));
            hosts.add(h);
        }
    }

    String prefix() {
        return settings.prefix();
    }

    List<SimulatedHost> hosts() {
        return hosts;
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    java.util.concurrent.Executor lane(SimulatedHost host) {
        return lanes.get(host);
    }

    long startDelayMillis() {
        return settings.startDelayMillis();
    }

    /**
     * Gives every host its credential: the one kept in the identities folder from an earlier run
     * against the same service, or a new one from enrolling with the enrollment token.
     *
     * @return how many hosts had to enroll
     */
    int enroll(int parallel, IntConsumer progress) throws Exception {
        ExecutorService enrollers = Executors.newFixedThreadPool(Math.max(1, parallel), daemon("swarm-enroll"));
        AtomicInteger done = new AtomicInteger();
        AtomicInteger enrolled = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (SimulatedHost h : hosts) {
            futures.add(enrollers.submit(() -> {
                h.credential = credentialOf(h, enrolled);
                progress.accept(done.incrementAndGet());
                return null;
            }));
        }
        try {
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            enrollers.shutdownNow();
        }
        return enrolled.get();
    }

    private Credentials.Stored credentialOf(SimulatedHost h, AtomicInteger enrolled) throws IOException {
        AgentSettings s = settingsOf(h);
        Optional<Credentials.Stored> kept = Credentials.load(s.stateDir());
        if (kept.isPresent()
                && kept.get().machineId().equals(h.machineId)
                && kept.get().url().equals(settings.url().toString())) {
            return kept.get();
        }
        if (settings.enrollToken() == null) {
            throw new IllegalArgumentException("host " + h.hostname + " has no credential in " + s.stateDir() + " for "
                    + settings.url() + ": set FLOTILLA_ENROLL_TOKEN");
        }
        enrolled.incrementAndGet();
        return Credentials.enroll(client(h), s, h.machineId, h.hostname);
    }

    private AgentSettings settingsOf(SimulatedHost h) {
        return new AgentSettings(
                settings.url(),
                settings.enrollToken(),
                settings.identities().resolve(String.valueOf(h.index)),
                Map.of("swarm", settings.prefix(), "rack", "r" + (h.index % 10)),
                null,
                List.of("*.service"),
                10_000,
                8L << 20,
                List.of());
    }

    private HttpClient client(SimulatedHost h) {
        return clients.get(h.index % clients.size());
    }

    /** Starts every host's connection at once (the connect storm). */
    void connectAll() {
        for (SimulatedHost h : hosts) {
            AgentSettings s = settingsOf(h);
            h.client = new AgentClient(
                    new AgentClient.Runtime(client(h), timers, lane(h)),
                    s,
                    h.credential,
                    () -> new Hello(Protocol.VERSION, h.machineId, h.hostname, facts, s.labels(), "swarm"),
                    () -> facts,
                    h.reporter,
                    h,
                    (query, reply) -> {},
                    h);
            h.exit = h.client.start();
            h.exit.thenAccept(code -> {
                if (code == 78) {
                    stats.refused.incrementAndGet();
                }
            });
        }
    }

    void welcomed(SimulatedHost h) {
        lastWelcome[h.index] = System.nanoTime();
        stats.welcomes.increment();
        stats.online.incrementAndGet();
    }

    void disconnected(SimulatedHost h) {
        stats.online.decrementAndGet();
    }

    /** How many hosts were welcomed (again) after {@code sinceNanos} and are online now. */
    int welcomedSince(long sinceNanos) {
        int n = 0;
        for (SimulatedHost h : hosts) {
            if (h.online() && lastWelcome[h.index] - sinceNanos > 0) {
                n++;
            }
        }
        return n;
    }

    /** Waits until {@code check} holds, polling every 50 ms; false on timeout. */
    static boolean await(java.util.function.BooleanSupplier check, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!check.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** The agents' warnings by kind since the last call, most frequent first. */
    List<String> takeAgentLog() {
        List<String> out = new ArrayList<>();
        agentLogCounts.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
                .limit(8)
                .forEach(e -> out.add(e.getValue().sum() + " × " + e.getKey()));
        agentLogCounts.clear();
        return out;
    }

    /** What the hosts observed against what the database holds (see {@link #check}). */
    record Check(long observed, long stored, int machinesDiffer, int statesDiffer, long dropped) {
        boolean nothingLost() {
            return observed == stored && machinesDiffer == 0 && statesDiffer == 0 && dropped == 0;
        }
    }

    /**
     * Every transition every host observed is stored once (per machine, observed = stored: none
     * lost, none twice), every host's current unit states are the service's, and no gap records.
     */
    Check check(Database db) throws java.sql.SQLException {
        Map<String, Long> stored = db.eventsPerMachine();
        Map<String, Map<String, String>> states = db.unitStates();
        long observed = 0;
        long storedTotal = 0;
        int machinesDiffer = 0;
        int statesDiffer = 0;
        for (SimulatedHost h : hosts) {
            long mine = h.transitions();
            long theirs = stored.getOrDefault(h.machineId, 0L);
            observed += mine;
            storedTotal += theirs;
            if (mine != theirs) {
                machinesDiffer++;
            }
            Map<String, String> service = states.getOrDefault(h.machineId, Map.of());
            for (Map.Entry<String, dev.flotilla.api.protocol.UnitState> e :
                    h.units().entrySet()) {
                if (!(e.getValue().active() + "/" + e.getValue().sub()).equals(service.get(e.getKey()))) {
                    statesDiffer++;
                }
            }
        }
        return new Check(observed, storedTotal, machinesDiffer, statesDiffer, db.droppedTransitions());
    }

    /** Each host's last sequence number now: what {@link #acknowledgedThrough} waits for. */
    long[] recordedMarks() {
        long[] marks = new long[hosts.size()];
        for (SimulatedHost h : hosts) {
            marks[h.index] = h.reporter.recorded();
        }
        return marks;
    }

    /**
     * Whether every host has everything it had recorded at {@code marks} acknowledged: caught up
     * with a moment in the past while transitions keep coming.
     */
    boolean acknowledgedThrough(long[] marks) {
        for (SimulatedHost h : hosts) {
            if (h.reporter.acknowledged() < marks[h.index]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the service has acknowledged every transition of every host. */
    boolean allAcknowledged() {
        for (SimulatedHost h : hosts) {
            if (!h.reporter.allAcknowledged()) {
                return false;
            }
        }
        return true;
    }

    /** Starts timing when each host first receives desired state that names {@code unit}. */
    void watchDesired(String unit) {
        watchTimes.clear();
        watchStart.set(System.nanoTime());
        watchedUnit = unit;
    }

    /** Desired states a host received with a lower generation than one it had before. */
    final java.util.concurrent.atomic.AtomicLong desiredGenerationsBack = new java.util.concurrent.atomic.AtomicLong();

    private final Map<Integer, Long> lastGeneration = new ConcurrentHashMap<>();

    void desiredReceived(SimulatedHost h, DesiredState desired) {
        Long before = lastGeneration.put(h.index, desired.generation());
        if (before != null && desired.generation() < before) {
            desiredGenerationsBack.incrementAndGet();
        }
        String unit = watchedUnit;
        if (unit != null && desired.units().stream().anyMatch(u -> u.name().equals(unit))) {
            watchTimes.putIfAbsent(h.index, System.nanoTime());
        }
    }

    /** Per host, the milliseconds from {@link #watchDesired} to its desired state naming the unit. */
    List<Double> desiredTimesMillis() {
        long start = watchStart.get();
        return watchTimes.values().stream().map(t -> (t - start) / 1e6).sorted().toList();
    }

    /**
     * Makes transitions at {@code perSecond} across online hosts, chosen at random, until {@code
     * running} says stop; each observation goes to {@code observer}. Runs on the calling thread.
     */
    void drive(
            double perSecond, java.util.function.BooleanSupplier running, Consumer<SimulatedHost.Observation> observer)
            throws InterruptedException {
        long start = System.nanoTime();
        long made = 0;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (running.getAsBoolean()) {
            double elapsed = (System.nanoTime() - start) / 1e9;
            long due = (long) (elapsed * perSecond);
            for (; made < due; made++) {
                for (int attempt = 0; attempt < 8; attempt++) {
                    SimulatedHost h = hosts.get(random.nextInt(hosts.size()));
                    if (h.online()) {
                        SimulatedHost.Observation o = h.transition();
                        if (o != null) {
                            observer.accept(o);
                        }
                        break;
                    }
                }
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        CountDownLatch stopped = new CountDownLatch(hosts.size());
        for (SimulatedHost h : hosts) {
            if (h.client == null) {
                stopped.countDown();
                continue;
            }
            h.exit.whenComplete((c, e) -> stopped.countDown());
            h.client.stop();
        }
        try {
            stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timers.shutdownNow();
        pool.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
