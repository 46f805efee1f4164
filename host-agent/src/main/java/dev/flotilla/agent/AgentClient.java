package dev.flotilla.agent;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

import dev.flotilla.api.protocol.Ack;
import dev.flotilla.api.protocol.CredentialSaved;
import dev.flotilla.api.protocol.DesiredState;
import dev.flotilla.api.protocol.DesiredStateResult;
import dev.flotilla.api.protocol.ErrorFrame;
import dev.flotilla.api.protocol.Facts;
import dev.flotilla.api.protocol.FactsChanged;
import dev.flotilla.api.protocol.Frame;
import dev.flotilla.api.protocol.FrameCodec;
import dev.flotilla.api.protocol.Heartbeat;
import dev.flotilla.api.protocol.Hello;
import dev.flotilla.api.protocol.LeaseReply;
import dev.flotilla.api.protocol.NewCredential;
import dev.flotilla.api.protocol.Protocol;
import dev.flotilla.api.protocol.UnitQuery;
import dev.flotilla.api.protocol.Welcome;

/**
 * The agent's one connection to the service: connect with the machine credential, say hello,
 * heartbeat at the interval the service asks for, and reconnect with backoff when cut off. A
 * credential the service refuses ends the agent: retrying cannot fix it.
 *
 * <p>Built on the JDK's own WebSocket client ({@code java.net.http}) rather than Vert.x/Netty: one
 * connection needs no event-loop framework, and leaving Netty out halves the agent's memory. All
 * state changes happen on one serial executor (the agent's one thread, or a serial lane of a pool
 * shared by the load tests' simulated hosts); frames go out one at a time, in order.
 */
public final class AgentClient {
    private static final Logger LOG = Logger.getLogger(AgentClient.class.getName());
    /** Heartbeats between two readings of the host's facts. */
    static final int FACTS_EVERY = 6;

    /** What the client runs on: one HTTP client and threads, its own or shared by many clients. */
    public record Runtime(HttpClient http, ScheduledExecutorService timers, Executor serial) {
        /**
         * A runtime for one agent: its own HTTP client and one thread, which both times and runs
         * everything, so state changes need no locks.
         */
        public static Runtime dedicated() {
            return dedicated(HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .build());
        }

        /** The same, trusting the service as the settings say (CA file, pin). */
        public static Runtime dedicated(AgentSettings settings) {
            return dedicated(Tls.httpClient(settings));
        }

        private static Runtime dedicated(HttpClient http) {
            ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "agent");
                t.setDaemon(true);
                return t;
            });
            return new Runtime(http, loop, loop);
        }
    }

    /** Acts on the desired state the service sends. */
    public interface DesiredStateHandler {
        void apply(DesiredState desired, Consumer<Frame> reply);
    }

    /** Answers the service's questions about one unit (status, journal). */
    public interface QueryHandler {
        void answer(UnitQuery query, Consumer<Frame> reply);
    }

    /** Told of the session's life; all methods run on the client's serial executor. */
    public interface Listener {
        default void welcomed(Welcome welcome) {}

        default void acknowledged(long seq) {}

        default void disconnected() {}

        /** The service's answer to a lease request sent with {@link #send}. */
        default void leaseReply(LeaseReply reply) {}
    }

    private final HttpClient http;
    private final ScheduledExecutorService timers;

    /** How long after its hello a connection may go unwelcomed before the agent connects again (tests shorten it). */
    static volatile Duration welcomeTimeout = Duration.ofSeconds(30);

    private final Executor loop;
    private final AgentSettings settings;
    /** Replaced when the service issues a new one (on the loop; read there when connecting). */
    private volatile Credentials.Stored credential;

    private final Supplier<Hello> hello;
    private final Supplier<Facts> facts;
    private final StateReporter units;
    private final DesiredStateHandler applier;
    private final QueryHandler inspector;
    private final Listener listener;
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile boolean stopping;
    private ScheduledFuture<?> heartbeat;
    private Session session;
    private Hello lastHello;

    /**
     * @param units reports unit and container transitions; null for none
     * @param applier acts on desired state; null when this host cannot (every unit is refused)
     * @param listener told of welcomes, acknowledgements and disconnections; may be null
     */
    public AgentClient(
            Runtime runtime,
            AgentSettings settings,
            Credentials.Stored credential,
            Supplier<Hello> hello,
            Supplier<Facts> facts,
            StateReporter units,
            DesiredStateHandler applier,
            QueryHandler inspector,
            Listener listener) {
        this.http = runtime.http();
        this.timers = runtime.timers();
        this.loop = runtime.serial();
        this.listener = listener == null ? new Listener() {} : listener;
        this.settings = settings;
        this.credential = credential;
        this.hello = hello;
        this.facts = facts;
        this.units = units;
        this.applier = applier;
        this.inspector = inspector;
    }

    /**
     * Sends a frame on the current session once the service has welcomed it; returns false (and
     * sends nothing) while the agent is not connected. Any thread.
     */
    public CompletableFuture<Boolean> send(Frame frame) {
        CompletableFuture<Boolean> sent = new CompletableFuture<>();
        loop.execute(() -> {
            Session s = session;
            if (s == null || !s.welcomed || s.closed) {
                sent.complete(false);
            } else {
                s.send(frame);
                sent.complete(true);
            }
        });
        return sent;
    }

    /** Starts connecting; the future completes with the process exit code when the agent must stop. */
    public CompletableFuture<Integer> start() {
        loop.execute(this::connect);
        return exit;
    }

    public void stop() {
        stopping = true;
        loop.execute(() -> {
            if (session != null) {
                session.ws.sendClose(1001, "agent stopping");
            }
            exit.complete(0);
        });
    }

    private void connect() {
        if (stopping) {
            return;
        }
        Session s = new Session();
        http.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + credential.credential())
                .buildAsync(settings.connectUri(Protocol.CONNECT_PATH), s)
                .whenComplete((ws, e) -> loop.execute(() -> {
                    if (e != null) {
                        LOG.warning("cannot reach the service: " + rootMessage(e));
                        retry();
                    } else {
                        opened(s, ws);
                    }
                }));
    }

    private void opened(Session s, WebSocket ws) {
        s.ws = ws;
        if (s.closed) {
            // The connection failed before this thread saw it open (its close was handled first).
            retry();
            return;
        }
        session = s;
        lastHello = hello.get();
        s.send(lastHello);
        // A service that took the connection but never answers the hello (its database away when
        // it checked the credential, say) must not hold this agent: give up and connect again.
        Duration patience = welcomeTimeout;
        timers.schedule(
                () -> loop.execute(() -> {
                    if (session == s && !s.welcomed && !s.closed) {
                        LOG.warning("no welcome within " + patience.toSeconds() + " s; connecting again");
                        s.ws.abort();
                        onClose(s, null, "no welcome");
                    }
                }),
                patience.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void onFrame(Session s, String text) {
        if (s != session) {
            return;
        }
        Frame frame;
        try {
            frame = FrameCodec.decode(text);
        } catch (FrameCodec.BadFrameException e) {
            LOG.warning("unreadable frame from the service: " + e.getMessage());
            return;
        }
        if (frame instanceof Welcome welcome) {
            s.welcomed = true;
            backoff.reset();
            LOG.info("connected as machine " + welcome.machineId() + " (protocol " + welcome.protocolVersion()
                    + ", heartbeat every " + welcome.heartbeatIntervalMillis() + " ms)");
            startHeartbeat(s, welcome.heartbeatIntervalMillis());
            if (units != null) {
                units.connected(s::send);
            }
            listener.welcomed(welcome);
        } else if (frame instanceof DesiredState desired) {
            if (applier == null) {
                s.send(new DesiredStateResult(
                        desired.generation(),
                        desired.units().stream()
                                .map(u -> new DesiredStateResult.UnitResult(u.name(), false, "no systemd on this host"))
                                .toList()));
            } else {
                applier.apply(desired, s::send);
            }
        } else if (frame instanceof UnitQuery query) {
            inspector.answer(query, s::send);
        } else if (frame instanceof LeaseReply reply) {
            listener.leaseReply(reply);
        } else if (frame instanceof Ack ack) {
            if (units != null) {
                units.acknowledged(ack.seq());
            }
            listener.acknowledged(ack.seq());
        } else if (frame instanceof NewCredential fresh) {
            renewCredential(s, fresh);
        } else if (frame instanceof ErrorFrame error) {
            LOG.warning("the service reports " + error.code() + ": " + error.message());
        }
    }

    /**
     * The service issued a new credential: saved atomically first (a crash leaves the old file or
     * the new, both of which the service accepts until this is confirmed), then confirmed. If it
     * cannot be saved, the old one stays in use and nothing is confirmed.
     */
    private void renewCredential(Session s, NewCredential fresh) {
        String secret = fresh.credential();
        if (secret == null || !secret.matches("[A-Za-z0-9_-]{16,200}")) {
            LOG.warning("ignoring a malformed new credential from the service");
            return;
        }
        Credentials.Stored next = new Credentials.Stored(credential.machineId(), secret, credential.url());
        try {
            Credentials.store(settings.stateDir(), next);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warning("cannot save the new credential (" + rootMessage(e) + "); keeping the old one");
            return;
        }
        credential = next;
        s.send(new CredentialSaved());
        LOG.info("the service issued this machine a new credential; saved in " + settings.stateDir());
    }

    private void startHeartbeat(Session s, long intervalMillis) {
        cancelHeartbeat();
        long[] seq = {0};
        Facts[] sent = {lastHello == null ? null : lastHello.facts()};
        long every = Math.max(100, intervalMillis);
        heartbeat = timers.scheduleAtFixedRate(
                () -> loop.execute(() -> {
                    s.send(new Heartbeat(++seq[0]));
                    // Facts are read again every few heartbeats, and sent only when they changed.
                    if (seq[0] % FACTS_EVERY == 0) {
                        Facts now = facts.get();
                        if (!now.equals(sent[0])) {
                            sent[0] = now;
                            s.send(new FactsChanged(now));
                        }
                    }
                }),
                every,
                every,
                TimeUnit.MILLISECONDS);
    }

    private void cancelHeartbeat() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
            heartbeat = null;
        }
    }

    private void onClose(Session s, Integer code, String reason) {
        if (s.closed) {
            return;
        }
        s.closed = true;
        if (s != session) {
            // Either an old session, or one not seen open yet: opened() retries for the latter.
            return;
        }
        session = null;
        cancelHeartbeat();
        if (units != null) {
            units.disconnected();
        }
        listener.disconnected();
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
        LOG.warning("disconnected (" + code + (reason == null || reason.isEmpty() ? "" : ": " + reason) + ")");
        int asked = code != null && code == Protocol.CLOSE_TRY_AGAIN_LATER ? Protocol.retryAfterSeconds(reason) : -1;
        retry(asked);
    }

    private void retry() {
        retry(-1);
    }

    /** Connects again after the backoff, or after about {@code askedSeconds} when the service said. */
    private void retry(int askedSeconds) {
        if (stopping) {
            exit.complete(0);
            return;
        }
        long delay = askedSeconds >= 0 ? backoff.after(askedSeconds, System.nanoTime()) : backoff.next();
        LOG.info("reconnecting in " + delay + " ms (attempt " + backoff.attempts() + ")");
        timers.schedule(() -> loop.execute(this::connect), delay, TimeUnit.MILLISECONDS);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** One WebSocket connection: its listener, and its outgoing frames, sent one after another. */
    private final class Session implements WebSocket.Listener {
        volatile WebSocket ws;
        boolean closed;
        boolean welcomed;
        private final StringBuilder partial = new StringBuilder();
        private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

        /** Queues a frame; the JDK client allows one send in flight, so each waits for the last. */
        synchronized void send(Frame frame) {
            WebSocket w = ws;
            if (w == null || w.isOutputClosed()) {
                return;
            }
            String text = FrameCodec.encode(frame);
            sending = sending.handle((x, e) -> null)
                    .thenCompose(x -> w.sendText(text, true))
                    .exceptionally(e -> {
                        LOG.fine("send failed: " + rootMessage(e));
                        return null;
                    });
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (partial.length() > Protocol.MAX_FRAME_BYTES) {
                partial.setLength(0);
                LOG.warning("a frame from the service exceeds " + Protocol.MAX_FRAME_BYTES + " bytes; closing");
                webSocket.sendClose(1009, "frame too big");
                webSocket.abort();
                loop.execute(() -> AgentClient.this.onClose(this, 1009, "frame too big"));
                return null;
            }
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                loop.execute(() -> onFrame(this, text));
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            loop.execute(() -> AgentClient.this.onClose(this, statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            LOG.warning("connection error: " + rootMessage(error));
            loop.execute(() -> AgentClient.this.onClose(this, null, rootMessage(error)));
        }
    }
}
