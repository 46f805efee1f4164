package dev.flotilla.agent;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.logging.Logger;

import dev.flotilla.agent.units.DesiredStateApplier;
import dev.flotilla.agent.units.UnitInspector;
import dev.flotilla.agent.units.UnitReporter;
import dev.flotilla.api.protocol.Ack;
import dev.flotilla.api.protocol.DesiredState;
import dev.flotilla.api.protocol.DesiredStateResult;
import dev.flotilla.api.protocol.ErrorFrame;
import dev.flotilla.api.protocol.Facts;
import dev.flotilla.api.protocol.FactsChanged;
import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.FrameCodec;
import dev.flotilla.api.protocol.Heartbeat;
import dev.flotilla.api.protocol.Hello;
import dev.flotilla.api.protocol.Protocol;
import dev.flotilla.api.protocol.UnitQuery;
import dev.flotilla.api.protocol.Welcome;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * The agent's one connection to the service: connect with the machine credential, say hello,
 * heartbeat at the interval the service asks for, and reconnect with backoff when cut off. A
 * credential the service refuses ends the agent: retrying cannot fix it.
 */
final class AgentClient {
    private static final Logger LOG = Logger.getLogger(AgentClient.class.getName());

    private final Vertx vertx;
    private final WebSocketClient client;
    private final WebSocketConnectOptions connect;
    private final Supplier<Hello> hello;
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final UnitReporter units;
    private final DesiredStateApplier applier;
    private final UnitInspector inspector;
    private volatile boolean stopping;
    private long heartbeatTimer = -1;
    private WebSocket socket;
    private Hello lastHello;
    private final Supplier<Facts> facts;
    /** Heartbeats between two readings of the host's facts. */
    static final int FACTS_EVERY = 6;

    AgentClient(
            Vertx vertx,
            AgentSettings settings,
            Credentials.Stored credential,
            Supplier<Hello> hello,
            Supplier<Facts> facts,
            UnitReporter units,
            DesiredStateApplier applier,
            UnitInspector inspector) {
        this.applier = applier;
        this.inspector = inspector;
        this.vertx = vertx;
        this.hello = hello;
        this.facts = facts;
        this.units = units;
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxMessageSize(Protocol.MAX_FRAME_BYTES)
                .setConnectTimeout(10_000));
        this.connect = new WebSocketConnectOptions()
                .setAbsoluteURI(settings.connectUri(Protocol.CONNECT_PATH).toString())
                .addHeader("Authorization", "Bearer " + credential.credential());
    }

    /** Starts connecting; the future completes with the process exit code when the agent must stop. */
    CompletableFuture<Integer> start() {
        vertx.runOnContext(v -> connect());
        return exit;
    }

    void stop() {
        stopping = true;
        vertx.runOnContext(v -> {
            if (socket != null && !socket.isClosed()) {
                socket.close((short) 1001, "agent stopping");
            }
        });
    }

    private void connect() {
        if (stopping) {
            return;
        }
        client.connect(connect).onSuccess(this::session).onFailure(e -> {
            LOG.warning("cannot reach the service: " + e.getMessage());
            retry();
        });
    }

    private void session(WebSocket ws) {
        socket = ws;
        ws.textMessageHandler(this::onFrame);
        ws.exceptionHandler(e -> LOG.warning("connection error: " + e.getMessage()));
        ws.closeHandler(v -> onClose(ws.closeStatusCode(), ws.closeReason()));
        lastHello = hello.get();
        ws.writeTextMessage(FrameCodec.encode(lastHello));
    }

    private void onFrame(String text) {
        Frame frame;
        try {
            frame = FrameCodec.decode(text);
        } catch (FrameCodec.BadFrameException e) {
            LOG.warning("unreadable frame from the service: " + e.getMessage());
            return;
        }
        if (frame instanceof Welcome welcome) {
            backoff.reset();
            LOG.info("connected as machine " + welcome.machineId() + " (protocol " + welcome.protocolVersion()
                    + ", heartbeat every " + welcome.heartbeatIntervalMillis() + " ms)");
            startHeartbeat(welcome.heartbeatIntervalMillis());
            if (units != null) {
                WebSocket ws = socket;
                units.connected(f -> {
                    if (!ws.isClosed()) {
                        ws.writeTextMessage(FrameCodec.encode(f));
                    }
                });
            }
        } else if (frame instanceof DesiredState desired) {
            WebSocket ws = socket;
            if (applier == null) {
                ws.writeTextMessage(FrameCodec.encode(new DesiredStateResult(
                        desired.generation(),
                        desired.units().stream()
                                .map(u -> new DesiredStateResult.UnitResult(u.name(), false, "no systemd on this host"))
                                .toList())));
            } else {
                applier.apply(desired, f -> {
                    if (ws != null && !ws.isClosed()) {
                        ws.writeTextMessage(FrameCodec.encode(f));
                    }
                });
            }
        } else if (frame instanceof UnitQuery query) {
            WebSocket ws = socket;
            inspector.answer(query, f -> {
                if (ws != null && !ws.isClosed()) {
                    ws.writeTextMessage(FrameCodec.encode(f));
                }
            });
        } else if (frame instanceof Ack ack) {
            if (units != null) {
                units.acknowledged(ack.seq());
            }
        } else if (frame instanceof ErrorFrame error) {
            LOG.warning("the service reports " + error.code() + ": " + error.message());
        }
    }

    private void startHeartbeat(long intervalMillis) {
        cancelHeartbeat();
        long[] seq = {0};
        Facts[] sent = {lastHello == null ? null : lastHello.facts()};
        heartbeatTimer = vertx.setPeriodic(Math.max(100, intervalMillis), id -> {
            WebSocket ws = socket;
            if (ws != null && !ws.isClosed()) {
                ws.writeTextMessage(FrameCodec.encode(new Heartbeat(++seq[0])));
                // Facts are read again every few heartbeats, and sent only when they changed.
                if (seq[0] % FACTS_EVERY == 0) {
                    Facts now = facts.get();
                    if (!now.equals(sent[0])) {
                        sent[0] = now;
                        ws.writeTextMessage(FrameCodec.encode(new FactsChanged(now)));
                    }
                }
            }
        });
    }

    private void cancelHeartbeat() {
        if (heartbeatTimer >= 0) {
            vertx.cancelTimer(heartbeatTimer);
            heartbeatTimer = -1;
        }
    }

    private void onClose(Short code, String reason) {
        cancelHeartbeat();
        if (units != null) {
            units.disconnected();
        }
        socket = null;
        if (stopping) {
            exit.complete(0);
            return;
        }
        if (code != null && code == Protocol.CLOSE_UNAUTHORIZED) {
            LOG.severe("the service refused this machine's credential (" + reason + "). The machine was removed"
                    + " or its credential revoked: delete credential.json in the state folder and enroll again.");
            exit.complete(78); // EX_CONFIG: the systemd unit does not restart on it
            return;
        }
        LOG.warning("disconnected (" + code + (reason == null ? "" : ": " + reason) + ")");
        retry();
    }

    private void retry() {
        if (stopping) {
            exit.complete(0);
            return;
        }
        long delay = backoff.next();
        LOG.info("reconnecting in " + delay + " ms (attempt " + backoff.attempts() + ")");
        vertx.setTimer(delay, id -> connect());
    }
}
