package dev.flotilla.service.agent;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import dev.flotilla.api.protocol.Ack;
import dev.flotilla.api.protocol.DesiredState;
import dev.flotilla.api.protocol.ErrorFrame;
import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.FrameCodec;
import dev.flotilla.api.protocol.Heartbeat;
import dev.flotilla.api.protocol.Hello;
import dev.flotilla.api.protocol.Protocol;
import dev.flotilla.api.protocol.StateChanges;
import dev.flotilla.api.protocol.StateSnapshot;
import dev.flotilla.api.protocol.UnitQuery;
import dev.flotilla.api.protocol.UnitQueryReply;
import dev.flotilla.api.protocol.Welcome;
import dev.flotilla.service.common.Secrets;
import dev.flotilla.service.machine.MachineRef;
import dev.flotilla.service.machine.MachineService;
import dev.flotilla.service.observed.StateFrames;
import dev.flotilla.service.observed.StateWriter;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * The agent gateway: one WebSocket per agent. The credential is checked on open, the machine id in
 * hello must be the credential's, and every frame after that speaks for that machine only. Anything
 * the service cannot read closes the connection with a reason.
 */
@WebSocket(path = Protocol.CONNECT_PATH)
public class AgentSocket {
    private static final Logger LOG = Logger.getLogger(AgentSocket.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    @Inject
    AgentSessions sessions;

    @Inject
    MachineService machines;

    @Inject
    AgentConfig config;

    @Inject
    StateWriter writer;

    @Inject
    AgentFrames frames;

    @Inject
    dev.flotilla.service.audit.AuditLog audit;

    @Inject
    CredentialChecks credentials;

    /**
     * Checks the credential with the others that arrive together ({@link CredentialChecks}), then
     * opens the session. websockets-next hands this connection's frames to {@link #message} only
     * once the returned Uni has completed, so a hello sent at once waits for the check.
     */
    @OnOpen
    Uni<Void> open(WebSocketConnection connection) {
        if (sessions.stopping) {
            // Told to go elsewhere a moment ago: an agent back here would keep this replica's
            // graceful shutdown waiting on its connection, and go on reporting to a dying process.
            AgentSessions.close(connection, (short) 1013, "unavailable", "this replica is stopping; connect again");
            return Uni.createFrom().voidItem();
        }
        String header = connection.handshakeRequest().header("Authorization");
        String credential = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim()
                : null;
        CompletableFuture<Void> opened = credentials
                .check(Secrets.hash(credential), connection::isOpen)
                .handleAsync(
                        (machine, failure) -> {
                            ManagedContext context = Arc.container().requestContext();
                            context.activate();
                            try {
                                opened(connection, credential, machine, failure);
                            } finally {
                                context.terminate();
                            }
                            return null;
                        },
                        frames.executor());
        return Uni.createFrom().completionStage(opened);
    }

    private void opened(
            WebSocketConnection connection, String credential, Optional<MachineRef> machine, Throwable failure) {
        if (!connection.isOpen()) {
            return; // the agent gave up waiting: nothing more to do for it
        }
        if (failure != null) {
            // The database was away, say: the agent would otherwise wait for a welcome that never comes.
            LOG.warnf("agent connection %s: cannot check its credential: %s", connection.id(), failure.toString());
            AgentSessions.close(
                    connection, (short) 1013, "unavailable", "the service could not check this machine; try again");
            return;
        }
        if (machine.isEmpty()) {
            // Whose it was is unknown (a removed machine's credential is gone with it): the platform's log.
            audit.refusal(
                    null,
                    "anonymous",
                    "agent.refused",
                    "machine",
                    null,
                    credential == null ? "no machine credential" : "unknown or revoked machine credential",
                    null);
            AgentSessions.close(
                    connection,
                    Protocol.CLOSE_UNAUTHORIZED,
                    "unauthorized",
                    credential == null ? "no machine credential" : "unknown or revoked machine credential");
            return;
        }
        if (!sessions.allowance.has(
                machine.get(), System.nanoTime(), config.maxFramesPerSecond(), config.maxFrameBurst())) {
            // Closed for sending too fast and back before its allowance refilled: refused before it
            // costs a session, presence writes and a snapshot.
            AgentSessions.close(
                    connection,
                    Protocol.CLOSE_TOO_FAST,
                    "too-fast",
                    "this machine sent faster than allowed; come back in half a minute");
            return;
        }
        sessions.open(machine.get(), connection);
    }

    /**
     * Runs on the event loop: reads the frame, notes that the agent was heard, answers heartbeats
     * at once, and queues everything that touches the database on the session's own lane. So a
     * busy database delays storing, never liveness: 10,000 agents connecting at once are not
     * timed out while their hellos and snapshots wait their turn.
     */
    @OnTextMessage
    @NonBlocking
    void message(WebSocketConnection connection, String text) {
        AgentSession s = sessions.get(connection);
        if (s == null) {
            return; // refused on open; the close is on its way
        }
        MDC.put("org", s.machine.orgId().toString());
        MDC.put("machine", s.machine.machineId());
        // Counted before it is parsed: a flood costs the flooder its connection, not the replica its CPU.
        if (!sessions.allowance.take(
                s.machine, System.nanoTime(), config.maxFramesPerSecond(), config.maxFrameBurst())) {
            sessions.close(
                    s,
                    Protocol.CLOSE_TOO_FAST,
                    "too-fast",
                    "more than " + (long) config.maxFramesPerSecond() + " frames a second (bursts of "
                            + config.maxFrameBurst() + ")");
            return;
        }
        if (!takeForOrg(s, 1)) {
            return;
        }
        Frame frame;
        try {
            frame = FrameCodec.decode(text);
        } catch (FrameCodec.BadFrameException e) {
            sessions.close(s, Protocol.CLOSE_BAD_FRAME, "bad-frame", e.getMessage());
            return;
        }
        sessions.heard(s);
        if (frame instanceof Hello) {
            if (s.helloReceived) {
                sessions.close(s, Protocol.CLOSE_BAD_FRAME, "bad-frame", "hello was already said");
                return;
            }
            s.helloReceived = true;
        } else if (frame instanceof Welcome
                || frame instanceof ErrorFrame
                || frame instanceof Ack
                || frame instanceof DesiredState
                || frame instanceof UnitQuery
                || frame instanceof dev.flotilla.api.protocol.LeaseReply) {
            sessions.close(
                    s, Protocol.CLOSE_BAD_FRAME, "bad-frame", "agents do not send '" + typeOf(frame) + "' frames");
            return;
        } else if (!s.helloReceived) {
            sessions.close(s, Protocol.CLOSE_BAD_FRAME, "bad-frame", "hello must come first");
            return;
        }
        if (frame instanceof Heartbeat) {
            return; // being heard is all it says
        } else if (frame instanceof UnitQueryReply reply) {
            sessions.answered(s, reply);
        } else if (frame instanceof StateChanges changes) {
            String problem = StateFrames.invalid(changes);
            if (problem != null) {
                sessions.close(s, Protocol.CLOSE_BAD_FRAME, "bad-frame", problem);
                return;
            }
            // What is stored is transitions, not frames: a frame of many (a replay) pays for each.
            if (changes.changes().size() > 1 && !takeForOrg(s, changes.changes().size() - 1)) {
                return;
            }
            if (changes.changes().size() > 1
                    && !sessions.allowance.take(
                            s.machine,
                            changes.changes().size() - 1,
                            System.nanoTime(),
                            config.maxFramesPerSecond(),
                            config.maxFrameBurst())) {
                sessions.close(
                        s,
                        Protocol.CLOSE_TOO_FAST,
                        "too-fast",
                        "more than " + (long) config.maxFramesPerSecond() + " transitions a second (bursts of "
                                + config.maxFrameBurst() + "); the rest again after a reconnect");
                return;
            }
            queue(s, text, () -> s.greeted ? stored(s, writer.submit(s.machine, changes)) : DONE);
        } else if (frame instanceof StateSnapshot snapshot) {
            String problem = StateFrames.invalid(snapshot);
            if (problem != null) {
                sessions.close(s, Protocol.CLOSE_BAD_FRAME, "bad-frame", problem);
                return;
            }
            queue(s, text, () -> s.greeted ? stored(s, writer.submit(s.machine, snapshot)) : DONE);
        } else if (frame instanceof Hello hello) {
            queue(s, text, () -> frames.greet(s, hello));
        } else {
            queue(s, text, () -> CompletableFuture.runAsync(() -> frames.handle(s, frame), frames.executor()));
        }
    }

    /**
     * Takes {@code n} of the organization's shared allowance on this replica, which grows with its
     * connected machines: many machines of one organization flooding together cannot take the
     * ingest from the others. Over it, this machine is closed (4429) and must regain its own
     * allowance before it connects again.
     */
    private boolean takeForOrg(AgentSession s, int n) {
        long now = System.nanoTime();
        double rate = config.orgFramesPerSecond()
                + config.orgFramesPerMachine() * Math.max(1, sessions.connected(s.machine.orgId()));
        if (sessions.orgAllowance.take(s.machine.orgId(), n, now, rate, rate * 10)) {
            return true;
        }
        sessions.allowance.drain(s.machine, now);
        sessions.close(
                s,
                Protocol.CLOSE_TOO_FAST,
                "too-fast",
                "this organization's agents send more than " + (long) rate + " transitions a second together");
        return false;
    }

    /**
     * Queues a frame's handling on the session's lane, counting its bytes until it is handled: an
     * agent that sends faster than its frames are stored is closed (4429) rather than let its queue
     * grow until the replica runs out of memory. It reconnects and resends what was not acknowledged.
     */
    private void queue(AgentSession s, String text, Supplier<CompletableFuture<?>> step) {
        long bytes = text.length();
        long max = config.maxQueuedBytes().asLongValue();
        if (s.queuedBytes.addAndGet(bytes) > max) {
            s.queuedBytes.addAndGet(-bytes);
            sessions.close(
                    s,
                    Protocol.CLOSE_TOO_FAST,
                    "too-fast",
                    "more than " + max + " bytes of frames waiting to be stored; send slower");
            return;
        }
        s.then(() -> {
            CompletableFuture<?> done;
            try {
                done = step.get();
            } catch (RuntimeException e) {
                s.queuedBytes.addAndGet(-bytes);
                throw e;
            }
            return done.whenComplete((x, e) -> s.queuedBytes.addAndGet(-bytes));
        });
    }

    /** Acknowledges what the writer stored; a frame it could not store closes the session (the agent resends). */
    private CompletableFuture<?> stored(AgentSession s, CompletableFuture<Long> seq) {
        return seq.whenComplete((value, failure) -> {
            if (failure != null) {
                LOG.warnf("cannot store a frame of machine %s: %s", s.machine.machineId(), failure.getMessage());
                sessions.close(s, (short) 1011, "internal", "the service could not store a frame; resend it");
            } else {
                s.connection
                        .sendText(FrameCodec.encode(new Ack(value)))
                        .subscribe()
                        .with(x -> {}, e -> LOG.debugf("ack to %s: %s", s.machine.machineId(), e.getMessage()));
            }
        });
    }

    @OnBinaryMessage
    void binary(WebSocketConnection connection, Buffer data) {
        AgentSession s = sessions.get(connection);
        if (s != null) {
            sessions.close(s, Protocol.CLOSE_BAD_FRAME, "bad-frame", "frames are JSON text, not binary");
        }
    }

    @OnClose
    void close(WebSocketConnection connection) {
        AgentSession s = sessions.closed(connection);
        if (s != null && s.greeted) {
            machines.offline(s.machine, s.id, "connection closed");
        }
    }

    @OnError
    void error(WebSocketConnection connection, Throwable failure) {
        AgentSession s = sessions.get(connection);
        // Vert.x reports an oversized message as a plain IllegalStateException naming the limit;
        // it may come before the session exists (sent at once, while the credential is checked).
        if (String.valueOf(failure.getMessage()).contains("max message size")) {
            AgentSessions.close(
                    connection, (short) 1009, "too-big", "frame larger than " + Protocol.MAX_FRAME_BYTES + " bytes");
            return;
        }
        if (s == null) {
            // Failed before the session existed (checking the credential while the database was
            // away, say): the connection stays open unless closed here, and its agent would wait
            // for a welcome that never comes. 1013: try again later.
            LOG.warnf("agent connection %s failed on open: %s", connection.id(), failure.toString());
            AgentSessions.close(
                    connection, (short) 1013, "unavailable", "the service could not check this machine; try again");
            return;
        }
        LOG.debugf("agent connection %s failed: %s", connection.id(), failure.getMessage());
        sessions.close(s, (short) 1011, "internal", "the service could not handle a frame");
    }

    /** The frame's name on the wire ({@code lease-reply}), as registered on {@link Frame}. */
    private static String typeOf(Frame frame) {
        for (var t : Frame.class
                .getAnnotation(com.fasterxml.jackson.annotation.JsonSubTypes.class)
                .value()) {
            if (t.value() == frame.getClass()) {
                return t.name();
            }
        }
        return frame.getClass().getSimpleName();
    }
}
