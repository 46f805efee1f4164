package dev.flotilla.service.agent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import dev.flotilla.api.protocol.CredentialSaved;
import dev.flotilla.api.protocol.DesiredState;
import dev.flotilla.api.protocol.DesiredStateResult;
import dev.flotilla.api.protocol.FactsChanged;
import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.FrameCodec;
import dev.flotilla.api.protocol.Hello;
import dev.flotilla.api.protocol.LeaseReply;
import dev.flotilla.api.protocol.LeaseRequest;
import dev.flotilla.api.protocol.NewCredential;
import dev.flotilla.api.protocol.Protocol;
import dev.flotilla.api.protocol.UpdateReport;
import dev.flotilla.api.protocol.Welcome;
import dev.flotilla.api.selector.Labels;
import dev.flotilla.service.desired.DesiredStateService;
import dev.flotilla.service.machine.CredentialRotationRequested;
import dev.flotilla.service.machine.MachineRef;
import dev.flotilla.service.machine.MachineService;
import dev.flotilla.service.observed.StateFrames;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;

/**
 * The frames of an agent that need the database, other than its state reports (those go to the
 * {@link dev.flotilla.service.observed.StateWriter}): hello, desired-state results, new facts.
 * Called on a worker thread, one frame of a session at a time, in order.
 */
@ApplicationScoped
public class AgentFrames {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(AgentFrames.class);

    @Inject
    AgentSessions sessions;

    @Inject
    MachineService machines;

    @Inject
    AgentConfig config;

    @Inject
    DesiredStateService desired;

    @Inject
    dev.flotilla.service.updates.MachineUpdateService updates;

    /**
     * Threads for these frames, apart from the HTTP workers; a plain pool, so that no request
     * context of the event loop leaks into them ({@link #handle} opens its own).
     */
    private final ExecutorService workers = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "agent-frames");
        t.setDaemon(true);
        return t;
    });

    Executor executor() {
        return workers;
    }

    @PreDestroy
    void stop() {
        workers.shutdownNow();
    }

    @ActivateRequestContext
    void handle(AgentSession s, Frame frame) {
        if (!s.connection.isOpen()) {
            return;
        }
        if (!s.greeted) {
            return; // hello was refused; the close is on its way
        } else if (frame instanceof DesiredStateResult result) {
            if (result.units().size() > StateFrames.MAX_ITEMS) {
                sessions.close(s, Protocol.CLOSE_BAD_FRAME, "bad-frame", "too many unit results");
                return;
            }
            desired.applied(s.machine, result);
        } else if (frame instanceof FactsChanged changed) {
            if (changed.facts() == null || changed.facts().addresses().size() > 256) {
                sessions.close(s, Protocol.CLOSE_BAD_FRAME, "bad-frame", "facts are missing or too many addresses");
                return;
            }
            machines.factsChanged(s.machine, changed.facts());
        } else if (frame instanceof LeaseRequest request) {
            if (request.requestId() == null
                    || request.requestId().isEmpty()
                    || request.requestId().length() > 100) {
                sessions.close(
                        s,
                        Protocol.CLOSE_BAD_FRAME,
                        "bad-frame",
                        "lease-request needs a requestId of 1 to 100 characters");
                return;
            }
            var labels = machines.get(s.machine.orgId(), s.machine.machineId()).labels();
            var d = updates.requestForMachine(s.machine.orgId(), s.machine.machineId(), labels);
            s.connection.sendTextAndAwait(FrameCodec.encode(new LeaseReply(
                    request.requestId(),
                    d.granted(),
                    d.state(),
                    d.reason(),
                    d.granted() ? d.lease().expiresAt() : null)));
        } else if (frame instanceof CredentialSaved) {
            if (machines.confirmCredential(s.machine, "saved by the agent")) {
                LOG.infof("machine %s confirmed its new credential", s.machine.machineId());
            }
        } else if (frame instanceof UpdateReport report) {
            String problem = invalid(report);
            if (problem != null) {
                sessions.close(s, Protocol.CLOSE_BAD_FRAME, "bad-frame", problem);
                return;
            }
            updates.reported(s.machine.orgId(), s.machine.machineId(), report);
        }
    }

    static final java.util.Set<String> UPDATE_STATES =
            java.util.Set.of("idle", "pending", "updating", "rebooting", "complete", "failed");

    private static String invalid(UpdateReport r) {
        if (r.state() == null || !UPDATE_STATES.contains(r.state())) {
            return "update-report state must be one of " + new java.util.TreeSet<>(UPDATE_STATES);
        }
        if ((r.pending() != null && r.pending() < 0) || (r.security() != null && r.security() < 0)) {
            return "update-report counts must not be negative";
        }
        if ((r.detail() != null && r.detail().length() > 4096)
                || (r.targetVersion() != null && r.targetVersion().length() > 200)
                || (r.osVersion() != null && r.osVersion().length() > 200)) {
            return "update-report detail is at most 4096 characters, versions at most 200";
        }
        return null;
    }

    /** A hello waiting for its batch; {@code done} completes once its welcome is on the way (or it was refused). */
    private record Greeting(AgentSession session, Hello hello, CompletableFuture<Void> done) {}

    private final BlockingQueue<Greeting> greetings = new LinkedBlockingQueue<>();
    private final List<Thread> greeters = new ArrayList<>();
    private volatile boolean running = true;

    /** Hellos greeted in one transaction at most. */
    static final int MAX_GREETING_BATCH = 256;

    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    private io.micrometer.core.instrument.DistributionSummary greetingBatches;

    void startGreeters(@Observes StartupEvent event) {
        greetingBatches = io.micrometer.core.instrument.DistributionSummary.builder("flotilla.agent.greeting.batch")
                .description("hellos greeted per transaction")
                .register(registry);
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(this::greetLoop, "agent-greeter-" + i);
            t.setDaemon(true);
            t.start();
            greeters.add(t);
        }
    }

    @PreDestroy
    void stopGreeters() {
        running = false;
        greeters.forEach(Thread::interrupt);
    }

    /**
     * A hello: checked here, then greeted with the others that arrived meanwhile — their machines
     * marked online in ONE transaction, their desired states read in two queries — the way the
     * state writer stores frames. 10,000 agents connecting at once cost a few hundred commits, not
     * 10,000, so the greeting keeps up with the connections instead of making agents wait until
     * they give up and come back (a storm feeding itself). Completes when the welcome is sent.
     */
    CompletableFuture<Void> greet(AgentSession s, Hello hello) {
        if (!s.machine.machineId().equals(hello.machineId())) {
            sessions.close(
                    s, Protocol.CLOSE_UNAUTHORIZED, "unauthorized", "hello names another machine than the credential");
            return CompletableFuture.completedFuture(null);
        }
        if (hello.protocolVersion() < 1) {
            sessions.close(
                    s,
                    Protocol.CLOSE_BAD_FRAME,
                    "bad-frame",
                    "unsupported protocol version " + hello.protocolVersion());
            return CompletableFuture.completedFuture(null);
        }
        String problem = invalidHello(hello);
        if (problem != null) {
            sessions.close(s, Protocol.CLOSE_BAD_FRAME, "bad-frame", problem);
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        greetings.add(new Greeting(s, hello, done));
        return done;
    }

    private void greetLoop() {
        List<Greeting> batch = new ArrayList<>();
        while (running) {
            try {
                Greeting first = greetings.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                greetings.drainTo(batch, MAX_GREETING_BATCH - 1);
                // As handle() has: presence observers may use request-scoped beans.
                ManagedContext context = Arc.container().requestContext();
                context.activate();
                try {
                    greetAll(batch);
                } finally {
                    context.terminate();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("greeting agents failed", e);
                for (Greeting g : batch) {
                    sessions.close(g.session(), (short) 1011, "internal", "the service could not greet; try again");
                    g.done().complete(null);
                }
            } finally {
                batch.clear();
            }
        }
    }

    private void greetAll(List<Greeting> batch) {
        // An agent that gave up waiting costs nothing more; the rest in the order machine rows are
        // locked everywhere (the state writer, the heartbeat flush): no deadlocks.
        List<Greeting> open = new ArrayList<>();
        for (Greeting g : batch) {
            if (g.session().connection.isOpen()) {
                open.add(g);
            } else {
                g.done().complete(null);
            }
        }
        greetingBatches.record(open.size());
        open.sort(Comparator.comparing((Greeting g) -> g.session().machine.orgId())
                .thenComparing(g -> g.session().machine.machineId()));
        Map<Greeting, MachineService.Online> outcome = new LinkedHashMap<>();
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                for (Greeting g : open) {
                    outcome.put(g, machines.online(g.session().machine, g.session().id, g.hello()));
                }
            });
        } catch (RuntimeException e) {
            outcome.clear();
            if (open.size() > 1) {
                LOG.warnf("greeting %d agents together failed (%s); one by one", open.size(), e.getMessage());
            }
            for (Greeting g : open) {
                try {
                    outcome.put(
                            g,
                            QuarkusTransaction.requiringNew()
                                    .call(() -> machines.online(g.session().machine, g.session().id, g.hello())));
                } catch (RuntimeException one) {
                    LOG.warnf("cannot greet machine %s: %s", g.session().machine.machineId(), one.getMessage());
                    sessions.close(g.session(), (short) 1011, "internal", "the service could not greet; try again");
                    g.done().complete(null);
                }
            }
        }
        List<MachineRef> welcomed = new ArrayList<>();
        outcome.forEach((g, online) -> {
            if (online != MachineService.Online.REMOVED) {
                welcomed.add(g.session().machine);
            }
        });
        Map<MachineRef, DesiredState> states = welcomed.isEmpty() ? Map.of() : desired.current(welcomed);
        outcome.forEach((g, online) -> {
            AgentSession s = g.session();
            try {
                if (online == MachineService.Online.REMOVED) {
                    sessions.close(
                            s, Protocol.CLOSE_UNAUTHORIZED, "removed", "this machine was removed from the fleet");
                    return;
                }
                sessions.greeted(s);
                int version = Math.min(g.hello().protocolVersion(), Protocol.VERSION);
                s.protocolVersion = version;
                // Sent in this order on the connection: welcome, then what the machine must run.
                send(
                        s,
                        new Welcome(
                                version,
                                s.machine.machineId(),
                                config.heartbeatInterval().toMillis(),
                                config.heartbeatTtl().toMillis()));
                send(s, states.getOrDefault(s.machine, new DesiredState(0, List.of())));
                if (online == MachineService.Online.ONLINE_ROTATION_DUE) {
                    workers.execute(() -> offerCredential(s));
                }
            } finally {
                g.done().complete(null);
            }
        });
    }

    private static void send(AgentSession s, Frame frame) {
        s.connection
                .sendText(FrameCodec.encode(frame))
                .subscribe()
                .with(x -> {}, e -> LOG.debugf("to %s: %s", s.machine.machineId(), e.getMessage()));
    }

    /**
     * Issues the machine its new credential over this session, when an admin asked for one and the
     * agent speaks protocol 2 (older agents would close on a frame they do not know; their
     * rotation waits until they are upgraded).
     */
    void offerCredential(AgentSession s) {
        if (s.protocolVersion < 2 || !s.connection.isOpen()) {
            return;
        }
        machines.issueNextCredential(s.machine)
                .ifPresent(secret -> s.connection.sendTextAndAwait(FrameCodec.encode(new NewCredential(secret))));
    }

    /** Asked for on any replica: the one holding the machine's session issues it. */
    void onRotationRequested(@Observes CredentialRotationRequested requested) {
        AgentSession s = sessions.session(requested.machine());
        if (s != null) {
            workers.execute(() -> offerCredential(s));
        }
    }

    private static String invalidHello(Hello hello) {
        if (hello.hostname() == null
                || hello.hostname().isBlank()
                || hello.hostname().length() > 253) {
            return "hostname must be 1 to 253 characters";
        }
        if (hello.agentVersion() != null && hello.agentVersion().length() > 100) {
            return "agentVersion longer than 100 characters";
        }
        try {
            Labels.validate(hello.labels() == null ? Map.of() : hello.labels());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        return null;
    }
}
