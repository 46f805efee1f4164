package dev.flotilla.service.agent;

import java.util.Map;
import java.util.Optional;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.flotilla.api.protocol.Ack;
import dev.flotilla.api.protocol.DesiredState;
import dev.flotilla.api.protocol.DesiredStateResult;
import dev.flotilla.api.protocol.ErrorFrame;
import dev.flotilla.api.protocol.FactsChanged;
import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.FrameCodec;
import dev.flotilla.api.protocol.Hello;
import dev.flotilla.api.protocol.Protocol;
import dev.flotilla.api.protocol.StateChanges;
import dev.flotilla.api.protocol.StateSnapshot;
import dev.flotilla.api.protocol.UnitQuery;
import dev.flotilla.api.protocol.UnitQueryReply;
import dev.flotilla.api.protocol.Welcome;
import dev.flotilla.api.selector.Labels;
import dev.flotilla.service.common.Secrets;
import dev.flotilla.service.desired.DesiredStateService;
import dev.flotilla.service.machine.MachineRef;
import dev.flotilla.service.machine.MachineService;
import dev.flotilla.service.observed.StateFrames;
import dev.flotilla.service.observed.UnitStateService;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.buffer.Buffer;

/**
 * The agent gateway: one WebSocket per agent. The credential is checked on open, the machine id in
 * hello must be the credential's, and every frame after that speaks for that machine only. Anything
 * the service cannot read closes the connection with a reason.
 */
@WebSocket(path = Protocol.CONNECT_PATH)
public class AgentSocket {
    private static final Logger LOG = Logger.getLogger(AgentSocket.class);

    @Inject
    AgentSessions sessions;

    @Inject
    MachineService machines;

    @Inject
    AgentConfig config;

    @Inject
    UnitStateService units;

    @Inject
    DesiredStateService desired;

    @OnOpen
    void open(WebSocketConnection connection) {
        String header = connection.handshakeRequest().header("Authorization");
        String credential = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim()
                : null;
        Optional<MachineRef> machine = machines.byCredential(Secrets.hash(credential));
        if (machine.isEmpty()) {
            AgentSessions.close(
                    connection,
                    Protocol.CLOSE_UNAUTHORIZED,
                    "unauthorized",
                    credential == null ? "no machine credential" : "unknown or revoked machine credential");
            return;
        }
        sessions.open(machine.get(), connection);
    }

    @OnTextMessage
    void message(WebSocketConnection connection, String text) {
        AgentSession s = sessions.get(connection);
        if (s == null) {
            return; // refused on open; the close is on its way
        }
        Frame frame;
        try {
            frame = FrameCodec.decode(text);
        } catch (FrameCodec.BadFrameException e) {
            sessions.close(s, Protocol.CLOSE_BAD_FRAME, "bad-frame", e.getMessage());
            return;
        }
        sessions.heard(s);
        if (frame instanceof Hello hello) {
            hello(s, hello);
        } else if (frame instanceof Welcome
                || frame instanceof ErrorFrame
                || frame instanceof Ack
                || frame instanceof DesiredState
                || frame instanceof UnitQuery) {
            sessions.close(
                    s, Protocol.CLOSE_BAD_FRAME, "bad-frame", "agents do not send '" + typeOf(frame) + "' frames");
        } else if (!s.greeted) {
            sessions.close(s, Protocol.CLOSE_BAD_FRAME, "bad-frame", "hello must come first");
        } else if (frame instanceof UnitQueryReply reply) {
            sessions.answered(s, reply);
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
        } else if (frame instanceof StateChanges changes) {
            String problem = StateFrames.invalid(changes);
            if (problem != null) {
                sessions.close(s, Protocol.CLOSE_BAD_FRAME, "bad-frame", problem);
                return;
            }
            ack(s, units.ingest(s.machine, changes.changes()));
        } else if (frame instanceof StateSnapshot snapshot) {
            String problem = StateFrames.invalid(snapshot);
            if (problem != null) {
                sessions.close(s, Protocol.CLOSE_BAD_FRAME, "bad-frame", problem);
                return;
            }
            ack(s, units.snapshot(s.machine, snapshot));
        }
        // Heartbeat: being heard is all it says.
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
        LOG.debugf("agent connection %s failed: %s", connection.id(), failure.getMessage());
        AgentSession s = sessions.get(connection);
        if (s == null) {
            return;
        }
        // Vert.x reports an oversized message as a plain IllegalStateException naming the limit.
        String message = String.valueOf(failure.getMessage());
        if (message.contains("max message size")) {
            sessions.close(s, (short) 1009, "too-big", "frame larger than " + Protocol.MAX_FRAME_BYTES + " bytes");
        } else {
            sessions.close(s, (short) 1011, "internal", "the service could not handle a frame");
        }
    }

    private static void ack(AgentSession s, long seq) {
        s.connection.sendTextAndAwait(FrameCodec.encode(new Ack(seq)));
    }

    private void hello(AgentSession s, Hello hello) {
        if (s.greeted) {
            sessions.close(s, Protocol.CLOSE_BAD_FRAME, "bad-frame", "hello was already said");
            return;
        }
        if (!s.machine.machineId().equals(hello.machineId())) {
            sessions.close(
                    s, Protocol.CLOSE_UNAUTHORIZED, "unauthorized", "hello names another machine than the credential");
            return;
        }
        if (hello.protocolVersion() < 1) {
            sessions.close(
                    s,
                    Protocol.CLOSE_BAD_FRAME,
                    "bad-frame",
                    "unsupported protocol version " + hello.protocolVersion());
            return;
        }
        String problem = invalidHello(hello);
        if (problem != null) {
            sessions.close(s, Protocol.CLOSE_BAD_FRAME, "bad-frame", problem);
            return;
        }
        if (!machines.online(s.machine, s.id, hello)) {
            sessions.close(s, Protocol.CLOSE_UNAUTHORIZED, "removed", "this machine was removed from the fleet");
            return;
        }
        sessions.greeted(s);
        int version = Math.min(hello.protocolVersion(), Protocol.VERSION);
        s.connection.sendTextAndAwait(FrameCodec.encode(new Welcome(
                version,
                s.machine.machineId(),
                config.heartbeatInterval().toMillis(),
                config.heartbeatTtl().toMillis())));
        // What the machine must run, right after welcome: the agent starts from the truth.
        s.connection.sendTextAndAwait(FrameCodec.encode(desired.current(s.machine)));
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

    private static String typeOf(Frame frame) {
        return frame.getClass()
                .getSimpleName()
                .toLowerCase(java.util.Locale.ROOT)
                .replace("frame", "");
    }
}
