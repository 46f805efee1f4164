package dev.flotilla.load;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.flotilla.agent.AgentClient;
import dev.flotilla.agent.Credentials;
import dev.flotilla.agent.StateJournal;
import dev.flotilla.agent.StateReporter;
import dev.flotilla.api.protocol.ContainerState;
import dev.flotilla.api.protocol.DesiredState;
import dev.flotilla.api.protocol.DesiredStateResult;
import dev.flotilla.api.protocol.DesiredUnit;
import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.UnitState;
import dev.flotilla.api.protocol.Welcome;

/**
 * One simulated host: the agent's real client, state reporter and journal, over a simulated systemd
 * and container engine. Its units flip between {@code active/running} and {@code inactive/dead}
 * when the swarm says so; units the service sends are reported {@code active} after a delay, as a
 * host whose systemd starts them would.
 */
final class SimulatedHost implements AgentClient.Listener, AgentClient.DesiredStateHandler {
    /**
     * A transition this host observed: of a unit or a container, its name, sequence number, and
     * when (nanoTime).
     */
    record Observation(SimulatedHost host, boolean container, String name, long seq, long observedNanos) {}

    final int index;
    final String machineId;
    final String hostname;
    final StateJournal journal = StateJournal.inMemory(10_000);
    final StateReporter reporter;
    private final Swarm swarm;
    private final Map<String, UnitState> units = new LinkedHashMap<>();
    private final List<String> simulatedNames = new ArrayList<>();
    private final List<ContainerState> containers = new ArrayList<>();
    private final NavigableMap<Long, Long> unacknowledged = new TreeMap<>();
    private final Map<String, String> managedHashes = new HashMap<>();
    private long transitions;
    private volatile boolean online;
    AgentClient client;
    Credentials.Stored credential;
    CompletableFuture<Integer> exit;

    SimulatedHost(Swarm swarm, int index, int unitCount, int containerCount) {
        this.swarm = swarm;
        this.index = index;
        this.machineId = machineId(swarm.prefix(), index);
        this.hostname = swarm.prefix() + "-" + index;
        Instant boot = Instant.now();
        for (int u = 0; u < unitCount; u++) {
            String name = String.format("sim-%02d.service", u);
            simulatedNames.add(name);
            units.put(
                    name, new UnitState(name, "loaded", "active", "running", "simulated unit " + u, boot, null, false));
        }
        for (int k = 0; k < containerCount; k++) {
            String id = sha1(machineId + "/" + k).substring(0, 12) + "0000";
            containers.add(
                    new ContainerState(id, "sim-" + k, "busybox:latest", "running", "Up", null, boot, boot, Map.of()));
        }
        this.reporter = new StateReporter(journal, this::unitSnapshot, this::containerSnapshot);
    }

    /**
     * The machine id of simulated host {@code index}: MD5 of {@code prefix-index}, in hex, as
     * /etc/machine-id holds 32 hex digits. The pgbench baseline computes the same ids in SQL.
     */
    static String machineId(String prefix, int index) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("MD5")
                            .digest((prefix + "-" + index).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean online() {
        return online;
    }

    /**
     * Flips one random simulated unit or container (chosen in proportion to their numbers) and
     * reports it; null when the host simulates neither.
     */
    synchronized Observation transition() {
        int total = simulatedNames.size() + containers.size();
        if (total == 0) {
            return null;
        }
        int pick = ThreadLocalRandom.current().nextInt(total);
        if (pick >= simulatedNames.size()) {
            return flipContainer(pick - simulatedNames.size());
        }
        String name = simulatedNames.get(pick);
        UnitState was = units.get(name);
        boolean up = !"active".equals(was.active());
        UnitState now = new UnitState(
                name,
                "loaded",
                up ? "active" : "inactive",
                up ? "running" : "dead",
                was.description(),
                Instant.now(),
                null,
                false);
        return report(now);
    }

    private Observation flipContainer(int index) {
        ContainerState was = containers.get(index);
        boolean up = !"running".equals(was.state());
        ContainerState now = new ContainerState(
                was.id(),
                was.name(),
                was.image(),
                up ? "running" : "exited",
                up ? "Up" : "Exited (0)",
                null,
                was.createdAt(),
                up ? Instant.now() : was.startedAt(),
                was.labels());
        containers.set(index, now);
        return recorded(true, now.name(), () -> reporter.containerChanged(now));
    }

    /** The containers this host reports now. */
    synchronized List<ContainerState> containers() {
        return new ArrayList<>(containers);
    }

    private Observation report(UnitState state) {
        units.put(state.name(), state);
        return recorded(false, state.name(), () -> reporter.changed(state));
    }

    /**
     * Reports one transition through the agent's reporter (which journals it and sends it) and
     * keeps its sequence number and time, for the acknowledgement's latency. Called with this
     * host's lock held.
     */
    private Observation recorded(boolean container, String name, Runnable report) {
        long observed = System.nanoTime();
        long seq;
        synchronized (reporter) {
            report.run();
            seq = journal.seq();
        }
        transitions++;
        unacknowledged.put(seq, observed);
        swarm.stats.sent.increment();
        return new Observation(this, container, name, seq, observed);
    }

    /** How many transitions this host has observed and reported, in all. */
    synchronized long transitions() {
        return transitions;
    }

    /** The states this host reports now, by unit name. */
    synchronized Map<String, UnitState> units() {
        return new HashMap<>(units);
    }

    private synchronized List<UnitState> unitSnapshot() {
        return new ArrayList<>(units.values());
    }

    private synchronized List<ContainerState> containerSnapshot() {
        return new ArrayList<>(containers);
    }

    @Override
    public synchronized void welcomed(Welcome welcome) {
        if (!online) {
            online = true;
            swarm.welcomed(this);
        }
    }

    @Override
    public void acknowledged(long seq) {
        long now = System.nanoTime();
        synchronized (this) {
            NavigableMap<Long, Long> done = unacknowledged.headMap(seq, true);
            for (long observed : done.values()) {
                swarm.stats.ackLatency.recordValue(Math.max(0, now - observed) / 1000);
                swarm.stats.acked.increment();
            }
            done.clear();
        }
    }

    @Override
    public synchronized void disconnected() {
        // Also called for a connection that closed before its welcome: only a welcomed one counts.
        if (online) {
            online = false;
            swarm.disconnected(this);
        }
    }

    /**
     * What the service wants: each unit acknowledged at once (written, as the real agent would), and
     * reported active (or inactive for {@code loaded}) after the swarm's start delay; units no longer
     * wanted are removed.
     */
    @Override
    public void apply(DesiredState desired, Consumer<Frame> reply) {
        swarm.desiredReceived(this, desired);
        List<DesiredStateResult.UnitResult> results = new ArrayList<>();
        for (DesiredUnit u : desired.units()) {
            results.add(new DesiredStateResult.UnitResult(u.name(), true, null));
        }
        reply.accept(new DesiredStateResult(desired.generation(), results));
        swarm.timers()
                .schedule(
                        () -> swarm.lane(this).execute(() -> converge(desired)),
                        swarm.startDelayMillis(),
                        TimeUnit.MILLISECONDS);
    }

    private synchronized void converge(DesiredState desired) {
        Map<String, DesiredUnit> wanted = new HashMap<>();
        desired.units().forEach(u -> wanted.put(u.name(), u));
        for (String name : new ArrayList<>(managedHashes.keySet())) {
            if (!wanted.containsKey(name)) {
                managedHashes.remove(name);
                UnitState last = units.remove(name);
                if (last != null) {
                    recorded(false, name, () -> reporter.removed(last));
                }
            }
        }
        for (DesiredUnit u : desired.units()) {
            String hash = sha1(u.content());
            boolean launched = DesiredUnit.LAUNCHED.equals(u.target());
            UnitState current = units.get(u.name());
            String active = launched ? "active" : "inactive";
            if (current != null && hash.equals(current.hash()) && active.equals(current.active())) {
                continue;
            }
            managedHashes.put(u.name(), hash);
            report(new UnitState(
                    u.name(), "loaded", active, launched ? "running" : "dead", u.name(), Instant.now(), hash, true));
        }
    }

    static String sha1(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
