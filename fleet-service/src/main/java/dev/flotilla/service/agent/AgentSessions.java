package dev.flotilla.service.agent;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.flotilla.api.protocol.ErrorFrame;
import dev.flotilla.api.protocol.FrameCodec;
import dev.flotilla.api.protocol.Protocol;
import dev.flotilla.api.protocol.UnitQuery;
import dev.flotilla.api.protocol.UnitQueryReply;
import dev.flotilla.service.common.TimeService;
import dev.flotilla.service.desired.DesiredStateChanged;
import dev.flotilla.service.desired.DesiredStateResync;
import dev.flotilla.service.desired.DesiredStateService;
import dev.flotilla.service.machine.MachineRef;
import dev.flotilla.service.machine.MachineRemoved;
import dev.flotilla.service.machine.MachineService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * The agent sessions this replica holds: which connection speaks for which machine, when each was
 * last heard from. Heartbeats stay in memory and reach the database in one batch every few
 * seconds, so that 10,000 agents do not cost 1,000 writes a second.
 */
@ApplicationScoped
public class AgentSessions {
    private static final Logger LOG = Logger.getLogger(AgentSessions.class);

    private final Map<String, AgentSession> byConnection = new ConcurrentHashMap<>();
    private final Map<MachineRef, AgentSession> byMachine = new ConcurrentHashMap<>();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    /** A question asked of an agent, and who may answer it. */
    private record Pending(MachineRef machine, CompletableFuture<UnitQueryReply> reply) {}

    @Inject
    MachineService machines;

    @Inject
    AgentConfig config;

    @Inject
    TimeService time;

    @Inject
    DesiredStateService desired;

    /** Desired states sent to agents here whose sending has not completed yet. */
    private final AtomicInteger pushesInFlight = new AtomicInteger();

    void registerMetrics(@Observes StartupEvent event, MeterRegistry registry) {
        Gauge.builder("flotilla.agents.connected", byMachine, Map::size)
                .description("agents connected to this replica (sessions that said hello)")
                .register(registry);
        Gauge.builder("flotilla.desired.pushes.pending", pushesInFlight, AtomicInteger::get)
                .description("desired states sent to agents on this replica and not yet written to their sockets")
                .register(registry);
    }

    AgentSession open(MachineRef machine, WebSocketConnection connection) {
        AgentSession s = new AgentSession(machine, connection, time.now());
        byConnection.put(connection.id(), s);
        return s;
    }

    /** The session of a machine on this replica that has said hello, if any. */
    AgentSession session(MachineRef machine) {
        AgentSession s = byMachine.get(machine);
        return s != null && s.connection.isOpen() ? s : null;
    }

    AgentSession get(WebSocketConnection connection) {
        return byConnection.get(connection.id());
    }

    /** The session has said hello: it now speaks for its machine, replacing any older one here. */
    void greeted(AgentSession s) {
        s.greeted = true;
        AgentSession old = byMachine.put(s.machine, s);
        if (old == null) {
            connectedPerOrg
                    .computeIfAbsent(s.machine.orgId(), o -> new AtomicInteger())
                    .incrementAndGet();
        }
        if (old != null && old != s) {
            close(old, Protocol.CLOSE_REPLACED, "replaced", "a newer connection of this machine took over");
        }
    }

    void heard(AgentSession s) {
        s.lastHeard = time.now();
    }

    /** The connection is gone; returns the session if it had said hello. */
    AgentSession closed(WebSocketConnection connection) {
        AgentSession s = byConnection.remove(connection.id());
        if (s != null && byMachine.remove(s.machine, s)) {
            var n = connectedPerOrg.get(s.machine.orgId());
            if (n != null) {
                n.decrementAndGet();
            }
        }
        return s;
    }

    int size() {
        return byMachine.size();
    }

    /** Sends an error frame, then closes with the code and a reason the agent logs. */
    void close(AgentSession s, short code, String errorCode, String reason) {
        close(s.connection, code, errorCode, reason);
    }

    static void close(WebSocketConnection connection, short code, String errorCode, String reason) {
        if (!connection.isOpen()) {
            return;
        }
        connection
                .sendText(FrameCodec.encode(new ErrorFrame(errorCode, reason)))
                .onFailure()
                .recoverWithNull()
                .chain(() -> connection.close(new CloseReason(code, truncate(reason))))
                .subscribe()
                .with(x -> {}, e -> LOG.debugf("closing %s: %s", connection.id(), e.getMessage()));
    }

    void onMachineRemoved(@Observes(during = TransactionPhase.AFTER_SUCCESS) MachineRemoved removed) {
        AgentSession s = byMachine.get(new MachineRef(removed.orgId(), removed.machineId()));
        if (s != null) {
            close(s, Protocol.CLOSE_UNAUTHORIZED, "removed", "this machine was removed from the fleet");
        }
    }

    /**
     * Asks a machine's agent a question over its session on this replica.
     *
     * @return the reply to come, or empty when the machine has no session here
     */
    Optional<CompletableFuture<UnitQueryReply>> ask(MachineRef machine, UnitQuery query, Duration timeout) {
        AgentSession s = byMachine.get(machine);
        if (s == null || !s.connection.isOpen()) {
            return Optional.empty();
        }
        CompletableFuture<UnitQueryReply> reply = new CompletableFuture<>();
        pending.put(query.requestId(), new Pending(machine, reply));
        reply.whenComplete((r, e) -> pending.remove(query.requestId()));
        s.connection.sendText(FrameCodec.encode(query)).subscribe().with(x -> {}, reply::completeExceptionally);
        return Optional.of(reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** An agent answered: only the machine that was asked may answer. */
    void answered(AgentSession s, UnitQueryReply reply) {
        Pending p = pending.get(reply.requestId());
        if (p != null && p.machine().equals(s.machine)) {
            p.reply().complete(reply);
        }
    }

    /**
     * On SIGTERM, at once (a JVM shutdown hook runs beside Quarkus's own, which first waits up to
     * quarkus.shutdown.timeout for requests in flight and then closes WebSockets with a bare 1000):
     * every agent here is told the replica is stopping (1001, going away) and reconnects, to
     * another replica behind the load balancer.
     */
    void tellAgentsOnStop(@Observes StartupEvent event) {
        Runtime.getRuntime().addShutdownHook(new Thread(this::goingAway, "agents-going-away"));
    }

    /** Set at SIGTERM: no new agent sessions here (they would only hold the shutdown up). */
    volatile boolean stopping;

    void goingAway() {
        stopping = true;
        int n = byConnection.size();
        for (AgentSession s : byConnection.values()) {
            close(s, (short) 1001, "going-away", "this replica is stopping; connect again");
        }
        // The closes are sent asynchronously: give them up to 2 s to go out before the server stops.
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (!byConnection.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (n > 0) {
            LOG.infof("told %d agents this replica is stopping (%d still open)", n, byConnection.size());
        }
    }

    /** Tells the agents of these machines connected here their new desired state; nobody else is told. */
    void onDesiredStateChanged(@Observes DesiredStateChanged change) {
        push(change.machines());
    }

    /** The change feed was interrupted: tell every agent connected here its desired state again. */
    void onResync(@Observes DesiredStateResync resync) {
        push(new ArrayList<>(byMachine.keySet()));
    }

    private void push(List<MachineRef> machines) {
        List<MachineRef> here = new ArrayList<>();
        for (MachineRef m : machines) {
            AgentSession s = byMachine.get(m);
            if (s != null && s.connection.isOpen()) {
                here.add(m);
            }
        }
        if (here.isEmpty()) {
            return;
        }
        desired.current(here).forEach((machine, state) -> {
            AgentSession s = byMachine.get(machine);
            if (s != null && s.connection.isOpen()) {
                pushesInFlight.incrementAndGet();
                s.connection
                        .sendText(FrameCodec.encode(state))
                        .subscribe()
                        .with(x -> pushesInFlight.decrementAndGet(), e -> {
                            pushesInFlight.decrementAndGet();
                            LOG.debugf("desired state to %s: %s", machine, e.getMessage());
                        });
            }
        });
    }

    /** Closes silent sessions and connections that never said hello. */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void closeSilent() {
        Instant now = time.now();
        for (AgentSession s : byConnection.values()) {
            if (!s.helloReceived && s.openedAt.plus(config.helloTimeout()).isBefore(now)) {
                close(
                        s,
                        Protocol.CLOSE_BAD_FRAME,
                        "no-hello",
                        "no hello within " + config.helloTimeout().toSeconds() + " s");
            } else if (s.greeted && s.lastHeard.plus(config.heartbeatTtl()).isBefore(now)) {
                close(s, (short) 4408, "heartbeat-timeout", "no heartbeat within the TTL");
            }
        }
    }

    /**
     * Writes when live sessions were last heard from, for the machines heard from since their last
     * write only: with heartbeats every 10 s and a flush every 5 s, writing every machine at every
     * flush was 2,000 row updates a second at 10,000 agents, half of them rewriting the same value.
     * The stored time is at most a heartbeat interval plus a flush behind, well within the TTL.
     */
    @Scheduled(every = "${flotilla.agent.last-seen-flush}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void flushLastSeen() {
        Map<MachineRef, Instant> seen = new HashMap<>();
        Map<AgentSession, Instant> written = new HashMap<>();
        byMachine.forEach((ref, s) -> {
            Instant heard = s.lastHeard;
            if (s.lastHeardWritten == null || heard.isAfter(s.lastHeardWritten)) {
                seen.put(ref, heard);
                written.put(s, heard);
            }
        });
        // In transactions of at most TOUCH_CHUNK rows, machines in one order: one flush of 10,000
        // rows in one transaction held their locks for seconds, and a global unit's generation bump
        // (DesiredStateService.bump) or a hello waited behind it.
        List<MachineRef> order = new ArrayList<>(seen.keySet());
        order.sort(java.util.Comparator.comparing(MachineRef::orgId).thenComparing(MachineRef::machineId));
        for (int i = 0; i < order.size(); i += TOUCH_CHUNK) {
            Map<MachineRef, Instant> chunk = new java.util.LinkedHashMap<>();
            for (MachineRef m : order.subList(i, Math.min(order.size(), i + TOUCH_CHUNK))) {
                chunk.put(m, seen.get(m));
            }
            machines.touch(chunk);
        }
        written.forEach((s, heard) -> s.lastHeardWritten = heard);
    }

    /** Rows per heartbeat-flush transaction: short lock holds, still few round trips. */
    static final int TOUCH_CHUNK = 250;

    /** Marks offline what no replica hears any more, and lost what stayed offline too long. */
    /** Frames each machine may still send, kept across its reconnections ({@link AgentSocket}). */
    final FrameAllowance<MachineRef> allowance = new FrameAllowance<>();

    /** Frames each organization's agents may still send together on this replica. */
    final FrameAllowance<java.util.UUID> orgAllowance = new FrameAllowance<>();

    /** Machines connected here, per organization (what an organization's shared allowance grows with). */
    private final Map<java.util.UUID, AtomicInteger> connectedPerOrg = new ConcurrentHashMap<>();

    int connected(java.util.UUID org) {
        var n = connectedPerOrg.get(org);
        return n == null ? 0 : n.get();
    }

    /** Forgets the allowances of machines silent for ten minutes (theirs would be full again). */
    @Scheduled(every = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void forgetIdleAllowances() {
        allowance.forgetIdle(System.nanoTime(), 600_000_000_000L);
        orgAllowance.forgetIdle(System.nanoTime(), 600_000_000_000L);
    }

    @Scheduled(every = "${flotilla.agent.sweep-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        machines.sweep(config.heartbeatTtl(), config.lostAfter());
    }

    private static String truncate(String reason) {
        // A close frame's reason is at most 123 bytes of UTF-8.
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= 123 ? reason : new String(bytes, 0, 120, StandardCharsets.UTF_8) + "...";
    }
}
